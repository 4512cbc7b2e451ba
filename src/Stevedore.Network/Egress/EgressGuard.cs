using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stevedore.Network.Egress;

/// <summary>
/// Keeps pod traffic on the cluster: an nftables table of its own that drops connections pods start
/// through the node to anywhere outside the allowed destinations (the cluster's pod CIDRs, other
/// nodes' addresses); replies to connections started elsewhere (a hostPort client) still pass. The bridge plugin turns on IP forwarding (as on every Kubernetes node) and pods have a
/// default route through the bridge, so without this a pod's packet to any address would leave through
/// the node's uplink. Traffic between pods on the bridge, to the node itself, and to hostPorts is not
/// forwarded off the bridge and is untouched. One table per bridge, replaced atomically and removed
/// whole, so nothing else's rules are ever edited.
/// </summary>
public sealed class EgressGuard
{
    private readonly string _bridge;

    /// <summary>A guard for pods on <paramref name="bridgeName"/>.</summary>
    public EgressGuard(string bridgeName)
    {
        if (bridgeName.Length is 0 or > 15 || !bridgeName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException($"invalid bridge name \"{bridgeName}\"");
        }

        _bridge = bridgeName;
        TableName = "stevedore_egress_" + new string([.. bridgeName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
    }

    /// <summary>The nftables table (family <c>inet</c>) this guard owns.</summary>
    public string TableName { get; }

    /// <summary>Installs or replaces the guard, letting forwarded pod traffic reach only <paramref name="allowedDestinations"/>.</summary>
    public Task ApplyAsync(IEnumerable<IPNetwork> allowedDestinations, CancellationToken cancellationToken) =>
        HostCommand.RunCheckedAsync("nft", ["-f", "-"], Script(TableName, _bridge, allowedDestinations.ToList()), cancellationToken);

    /// <summary>Removes the guard; nothing happens when it is not installed.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        if (await IsInstalledAsync(cancellationToken))
        {
            var (exitCode, _, stderr) = await HostCommand.RunAsync("nft", ["delete", "table", "inet", TableName], null, cancellationToken);
            if (exitCode != 0 && await IsInstalledAsync(cancellationToken))
            {
                throw new NetworkCommandException("nft", ["delete", "table", "inet", TableName], exitCode, stderr.Trim());
            }
        }
    }

    /// <summary>Whether the guard's table exists.</summary>
    public async Task<bool> IsInstalledAsync(CancellationToken cancellationToken) =>
        (await HostCommand.RunAsync("nft", ["list", "table", "inet", TableName], null, cancellationToken)).ExitCode == 0;

    /// <summary>
    /// The nft script: create-then-delete-then-define in one transaction, so the table is replaced
    /// atomically whether or not it existed, and a rule never goes missing in between.
    /// </summary>
    public static string Script(string table, string bridge, IReadOnlyList<IPNetwork> allowed)
    {
        static string Elements(IEnumerable<IPNetwork> networks) => string.Join(", ", networks.Select(n => $"{n.BaseAddress}/{n.PrefixLength}"));
        var v4 = allowed.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork).Distinct().ToList();
        var v6 = allowed.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6).Distinct().ToList();
        var script = new StringBuilder();
        script.Append("table inet ").Append(table).Append(" {}\n");
        script.Append("delete table inet ").Append(table).Append('\n');
        script.Append("table inet ").Append(table).Append(" {\n");
        // auto-merge: the node's pod CIDR usually lies inside the cluster CIDR, and nft refuses overlapping intervals without it.
        script.Append("  set allowed4 {\n    type ipv4_addr\n    flags interval\n    auto-merge\n");
        if (v4.Count > 0)
        {
            script.Append("    elements = { ").Append(Elements(v4)).Append(" }\n");
        }

        script.Append("  }\n");
        script.Append("  set allowed6 {\n    type ipv6_addr\n    flags interval\n    auto-merge\n");
        if (v6.Count > 0)
        {
            script.Append("    elements = { ").Append(Elements(v6)).Append(" }\n");
        }

        script.Append("  }\n");
        // A drop in any nftables base chain is final, so another firewall's accepting FORWARD chain cannot undo it.
        // Only connections pods start are stopped: a pod's replies to a client elsewhere (hostPort, NodePort) pass.
        script.Append("  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n");
        script.Append("    iifname \"").Append(bridge).Append("\" oifname != \"").Append(bridge).Append("\" ct state != { established, related } ip daddr != @allowed4 counter drop\n");
        script.Append("    iifname \"").Append(bridge).Append("\" oifname != \"").Append(bridge).Append("\" ct state != { established, related } ip6 daddr != @allowed6 counter drop\n");
        script.Append("  }\n}\n");
        return script.ToString();
    }
}
