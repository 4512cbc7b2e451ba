using System.Text;
using k8s.Models;

namespace Stevedore.Kubelet.Pods;

/// <summary>The kubelet-managed /etc/hosts of a pod (not on the host network): localhost, the pod's own name and address, hostAliases.</summary>
public static class EtcHosts
{
    public static string Content(V1Pod pod, IReadOnlyList<string> podIps, string clusterDomain)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(podIps);
        var text = new StringBuilder()
            .Append("# Kubernetes-managed hosts file.\n")
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\n")
            .Append("fe00::0\tip6-mcastprefix\n")
            .Append("fe00::1\tip6-allnodes\n")
            .Append("fe00::2\tip6-allrouters\n");
        var hostname = SandboxConfigs.Hostname(pod);
        var fqdn = SandboxConfigs.Fqdn(pod, clusterDomain);
        foreach (var ip in podIps)
        {
            text.Append(ip).Append('\t').Append(fqdn is null ? hostname : fqdn + "\t" + hostname).Append('\n');
        }

        if (pod.Spec?.HostAliases is { Count: > 0 } aliases)
        {
            text.Append("\n# Entries added by HostAliases.\n");
            foreach (var alias in aliases)
            {
                text.Append(alias.Ip).Append('\t').Append(string.Join('\t', alias.Hostnames ?? [])).Append('\n');
            }
        }

        return text.ToString();
    }
}
