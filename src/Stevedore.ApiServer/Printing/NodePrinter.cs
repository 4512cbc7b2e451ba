using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>Nodes: NAME STATUS ROLES AGE VERSION | INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME.</summary>
internal static class NodePrinter
{
    private const string RolePrefix = "node-role.kubernetes.io/";
    private const string RoleLabel = "kubernetes.io/role";

    public static readonly KindPrinter Printer = new(
    [
        Columns.Name,
        Columns.Text("Status", "The status of the node"),
        Columns.Text("Roles", "The roles of the node"),
        Columns.Age,
        Columns.Text("Version", "Kubelet Version reported by the node."),
        Columns.Text("Internal-IP", "List of addresses reachable to the node.", 1),
        Columns.Text("External-IP", "List of addresses reachable to the node.", 1),
        Columns.Text("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
        Columns.Text("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
        Columns.Text("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
    ], (o, now) =>
    [
        Meta.Name(o), Status(o), Roles(o), Meta.Age(o, now), o.S("status", "nodeInfo", "kubeletVersion"),
        Address(o, "InternalIP"), Address(o, "ExternalIP"),
        OrUnknown(o.S("status", "nodeInfo", "osImage")), OrUnknown(o.S("status", "nodeInfo", "kernelVersion")),
        OrUnknown(o.S("status", "nodeInfo", "containerRuntimeVersion")),
    ]);

    /// <summary>"Ready", "NotReady" or "Unknown", plus ",SchedulingDisabled" for a cordoned node.</summary>
    internal static string Status(JsonObject node)
    {
        // The last Ready condition wins, as upstream builds a map keyed by type.
        var ready = node.Items("status", "conditions").LastOrDefault(c => c.Str("type") == "Ready");
        var status = ready is null ? "Unknown" : ready.Str("status") == "True" ? "Ready" : "NotReady";
        return node.Bool("spec", "unschedulable") == true ? status + ",SchedulingDisabled" : status;
    }

    /// <summary>Roles from <c>node-role.kubernetes.io/&lt;role&gt;</c> keys and the <c>kubernetes.io/role</c> value, sorted.</summary>
    internal static string Roles(JsonObject node)
    {
        var roles = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in node.StringMap("metadata", "labels"))
        {
            if (key.StartsWith(RolePrefix, StringComparison.Ordinal) && key.Length > RolePrefix.Length)
            {
                roles.Add(key[RolePrefix.Length..]);
            }
            else if (key == RoleLabel && value.Length > 0)
            {
                roles.Add(value);
            }
        }
        return roles.Count == 0 ? Formats.None : string.Join(",", roles);
    }

    private static string Address(JsonObject node, string type) =>
        node.Items("status", "addresses").FirstOrDefault(a => a.Str("type") == type)?.S("address") ?? Formats.None;

    private static string OrUnknown(string value) => value.Length == 0 ? Formats.Unknown : value;
}
