using Stevedore.Network.Cni;
using Stevedore.Network.Egress;

namespace Stevedore.Network;

/// <summary>
/// The node agent's side of pod networking: once the node has a pod CIDR it writes the conflist the
/// runtime's CNI calls read, and installs the egress guard that keeps forwarded pod traffic inside the
/// cluster (unless masquerading was asked for). <see cref="CleanupAsync"/> undoes everything node-wide:
/// conflist, guard, bridge, host-local's allocations and portmap's shared chains.
/// </summary>
public sealed class PodNetwork(PodNetworkOptions options)
{
    private readonly EgressGuard _guard = new(options.BridgeName);

    public PodNetworkOptions Options { get; } = options;

    /// <summary>The egress guard of this node's bridge.</summary>
    public EgressGuard Guard => _guard;

    /// <summary>The path of the conflist.</summary>
    public string ConflistPath => Path.Combine(Options.ConfDir, Options.ConflistFileName);

    /// <summary>
    /// Writes the conflist for <paramref name="podCidrs"/> (kept as is when unchanged) and sets the
    /// egress guard to allow the pod CIDRs plus <see cref="PodNetworkOptions.AllowedDestinations"/>.
    /// Returns whether the conflist changed.
    /// </summary>
    public async Task<bool> ApplyAsync(IReadOnlyList<string> podCidrs, CancellationToken cancellationToken)
    {
        var conflist = new ConflistOptions
        {
            NetworkName = Options.NetworkName,
            BridgeName = Options.BridgeName,
            PodCidrs = podCidrs,
            IpamDataDir = Options.IpamDataDir,
            Masquerade = Options.Masquerade,
            Mtu = Options.Mtu,
        };
        // Validates before anything on the host changes.
        ConflistBuilder.Build(conflist);
        var allowed = podCidrs.Concat(Options.AllowedDestinations).Select(c => Cidr.Parse(c, "allowed destination")).ToList();

        // Guard first: the conflist is what lets sandboxes start, and none may start unguarded.
        if (Options.Masquerade)
        {
            await _guard.RemoveAsync(cancellationToken);
        }
        else
        {
            await _guard.ApplyAsync(allowed, cancellationToken);
        }

        return ConflistBuilder.Write(Options.ConfDir, conflist, Options.ConflistFileName);
    }

    /// <summary>
    /// Removes the node's pod network: the conflist (so the runtime reports the network not ready), the
    /// guard, the bridge, host-local's allocations, and portmap's shared chains when no sandbox uses them.
    /// Sandboxes still running lose their network; call it when the node is being torn down.
    /// </summary>
    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        ConflistBuilder.Remove(Options.ConfDir, Options.ConflistFileName);
        await _guard.RemoveAsync(cancellationToken);
        if (Directory.Exists("/sys/class/net/" + Options.BridgeName))
        {
            var (exitCode, _, stderr) = await HostCommand.RunAsync("ip", ["link", "delete", Options.BridgeName], null, cancellationToken);
            if (exitCode != 0 && Directory.Exists("/sys/class/net/" + Options.BridgeName))
            {
                throw new NetworkCommandException("ip", ["link", "delete", Options.BridgeName], exitCode, stderr.Trim());
            }
        }

        var allocations = Path.Combine(Options.IpamDataDir, Options.NetworkName);
        if (Directory.Exists(allocations))
        {
            Directory.Delete(allocations, recursive: true);
        }

        await PortmapChains.RemoveIfUnusedAsync(cancellationToken);
    }
}
