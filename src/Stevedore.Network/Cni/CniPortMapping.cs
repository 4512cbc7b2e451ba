using System.Text.Json.Nodes;

namespace Stevedore.Network.Cni;

/// <summary>One entry of the <c>portMappings</c> capability the portmap plugin reads from <c>runtimeConfig</c>.</summary>
/// <param name="HostPort">The port on the node.</param>
/// <param name="ContainerPort">The port in the pod.</param>
/// <param name="Protocol"><c>tcp</c>, <c>udp</c> or <c>sctp</c>.</param>
/// <param name="HostIp">The node address to listen on; empty means every address.</param>
public sealed record CniPortMapping(int HostPort, int ContainerPort, string Protocol = "tcp", string HostIp = "")
{
    /// <summary>The capability name the portmap plugin declares.</summary>
    public const string Capability = "portMappings";

    /// <summary>The JSON form plugins expect.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["hostPort"] = HostPort, ["containerPort"] = ContainerPort, ["protocol"] = Protocol };
        if (!string.IsNullOrEmpty(HostIp))
        {
            json["hostIP"] = HostIp;
        }

        return json;
    }

    /// <summary>The capability value for a set of mappings.</summary>
    public static JsonArray ToCapability(IEnumerable<CniPortMapping> mappings) => new([.. mappings.Select(m => (JsonNode)m.ToJson())]);

    /// <summary>Reads a mapping written by <see cref="ToJson"/>.</summary>
    public static CniPortMapping FromJson(JsonNode node) => new(
        node["hostPort"]?.GetValue<int>() ?? 0,
        node["containerPort"]?.GetValue<int>() ?? 0,
        node["protocol"]?.GetValue<string>() ?? "tcp",
        node["hostIP"]?.GetValue<string>() ?? "");
}
