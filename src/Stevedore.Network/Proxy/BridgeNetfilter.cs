namespace Stevedore.Network.Proxy;

/// <summary>
/// <c>net.bridge.bridge-nf-call-iptables</c>: bridged IPv4 traffic passes the IP netfilter hooks. The
/// proxy needs it: a pod's reply to a client pod on the same bridge is bridged, and only conntrack in
/// those hooks turns its source back into the Service address the client connected to. Every
/// Kubernetes node sets it (kubeadm checks it, k3s sets it).
/// </summary>
public static class BridgeNetfilter
{
    private const string Setting = "/proc/sys/net/bridge/bridge-nf-call-iptables";

    /// <summary>Whether bridged IPv4 traffic passes the netfilter hooks now.</summary>
    public static bool IsEnabled() => File.Exists(Setting) && File.ReadAllText(Setting).Trim() == "1";

    /// <summary>Loads <c>br_netfilter</c> when the setting is missing and turns it on; throws <see cref="IOException"/> when that is impossible.</summary>
    public static async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (IsEnabled())
        {
            return;
        }

        if (!File.Exists(Setting))
        {
            var (exitCode, _, stderr) = await HostCommand.RunAsync("modprobe", ["br_netfilter"], null, cancellationToken);
            if (exitCode != 0 && !File.Exists(Setting))
            {
                throw new IOException($"{Setting} is missing and modprobe br_netfilter failed: {stderr.Trim()}; Services between pods on one node need it");
            }
        }

        await File.WriteAllTextAsync(Setting, "1", cancellationToken);
    }
}
