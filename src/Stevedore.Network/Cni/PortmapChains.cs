using System.Text;

namespace Stevedore.Network.Cni;

/// <summary>
/// The iptables chains the portmap plugin shares between all sandboxes (<c>CNI-HOSTPORT-DNAT</c>,
/// <c>-MASQ</c>, <c>-SETMARK</c> and the jumps into them). DEL removes a sandbox's own chain but leaves
/// these; node cleanup removes them once no sandbox uses them.
/// </summary>
public static class PortmapChains
{
    /// <summary>The chain per-sandbox DNAT chains hang off; non-empty while any hostPort is mapped.</summary>
    public const string DnatChain = "CNI-HOSTPORT-DNAT";

    private static readonly string[] SharedChains = [DnatChain, "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK"];

    /// <summary>Whether portmap's shared chains exist in the IPv4 nat table.</summary>
    public static async Task<bool> ExistAsync(CancellationToken cancellationToken) =>
        (await NatRulesAsync("iptables", cancellationToken)).Any(l => l == "-N " + DnatChain);

    /// <summary>
    /// Removes the shared chains (IPv4 and IPv6) when no sandbox has a mapping in them. Done in one
    /// iptables-restore transaction under <see cref="HostPortChainsLock"/>, so a sandbox mapping a port
    /// at the same moment (between portmap creating the chains and adding its rules) is never cut off.
    /// Returns whether anything was removed.
    /// </summary>
    public static async Task<bool> RemoveIfUnusedAsync(CancellationToken cancellationToken)
    {
        var removed = false;
        await using var exclusive = await HostPortChainsLock.AcquireAsync(cancellationToken).ConfigureAwait(false);
        foreach (var tool in new[] { "iptables", "ip6tables" })
        {
            var rules = await NatRulesAsync(tool, cancellationToken);
            var script = RemovalScript(rules);
            if (script is null)
            {
                continue;
            }

            var (exitCode, _, _) = await HostCommand.RunAsync(tool + "-restore", ["--noflush"], script, cancellationToken);
            removed |= exitCode == 0;
        }

        return removed;
    }

    /// <summary>
    /// The iptables-restore input removing the shared chains given the nat table's <c>-S</c> lines; null
    /// when they are absent or a sandbox still has a mapping.
    /// </summary>
    public static string? RemovalScript(IReadOnlyList<string> natRules)
    {
        if (!natRules.Contains("-N " + DnatChain) || natRules.Any(l => l.StartsWith("-A " + DnatChain + " ", StringComparison.Ordinal)))
        {
            return null;
        }

        var script = new StringBuilder("*nat\n");
        foreach (var rule in natRules.Where(l => l.StartsWith("-A ", StringComparison.Ordinal) && SharedChains.Any(c => l.EndsWith("-j " + c, StringComparison.Ordinal)))
                     .Where(l => !SharedChains.Any(c => l.StartsWith("-A " + c + " ", StringComparison.Ordinal))))
        {
            script.Append("-D ").Append(rule["-A ".Length..]).Append('\n');
        }

        foreach (var chain in SharedChains.Where(c => natRules.Contains("-N " + c)))
        {
            script.Append("-F ").Append(chain).Append('\n');
        }

        foreach (var chain in SharedChains.Where(c => natRules.Contains("-N " + c)))
        {
            script.Append("-X ").Append(chain).Append('\n');
        }

        return script.Append("COMMIT\n").ToString();
    }

    private static async Task<IReadOnlyList<string>> NatRulesAsync(string tool, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, _) = await HostCommand.RunAsync(tool, ["-t", "nat", "-S"], null, cancellationToken);
        return exitCode == 0 ? stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
    }
}
