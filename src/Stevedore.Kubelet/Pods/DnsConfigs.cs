using k8s.Models;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Pods;

/// <summary>The resolver configuration of a pod (CRI dns_config) from dnsPolicy and dnsConfig, as upstream builds it.</summary>
public static class DnsConfigs
{
    /// <summary>Upstream's limit on search domains.</summary>
    public const int MaxSearches = 32;

    /// <summary>
    /// ClusterFirst (the default): the cluster DNS servers, searches <c>&lt;ns&gt;.svc.&lt;domain&gt; svc.&lt;domain&gt; &lt;domain&gt;</c>
    /// then the node's, option <c>ndots:5</c>; on the host network it means Default unless the policy is
    /// ClusterFirstWithHostNet. Default: the node's resolv.conf. None: only the pod's dnsConfig.
    /// The pod's dnsConfig is appended (servers and searches de-duplicated, options overriding by name).
    /// Without cluster DNS servers, ClusterFirst falls back to Default.
    /// </summary>
    public static DNSConfig For(V1Pod pod, IReadOnlyList<string> clusterDns, string clusterDomain, ResolvConf host)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(host);
        var spec = pod.Spec ?? new V1PodSpec();
        var kind = KindOf(spec, clusterDns.Count > 0);
        var servers = new List<string>();
        var searches = new List<string>();
        var options = new List<string>();
        switch (kind)
        {
            case DnsKind.Cluster:
                var ns = string.IsNullOrEmpty(pod.Metadata?.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty;
                servers.AddRange(clusterDns);
                searches.AddRange([$"{ns}.svc.{clusterDomain}", $"svc.{clusterDomain}", clusterDomain]);
                searches.AddRange(host.Searches);
                options.Add("ndots:5");
                break;
            case DnsKind.Host:
                servers.AddRange(host.Nameservers);
                searches.AddRange(host.Searches);
                options.AddRange(host.Options);
                break;
        }

        if (spec.DnsConfig is { } extra)
        {
            servers.AddRange(extra.Nameservers ?? []);
            searches.AddRange(extra.Searches ?? []);
            foreach (var option in extra.Options ?? [])
            {
                if (string.IsNullOrEmpty(option.Name))
                {
                    continue;
                }

                var text = option.Value is null ? option.Name : option.Name + ":" + option.Value;
                var existing = options.FindIndex(o => OptionName(o) == option.Name);
                if (existing >= 0)
                {
                    options[existing] = text;
                }
                else
                {
                    options.Add(text);
                }
            }
        }

        var config = new DNSConfig();
        config.Servers.AddRange(servers.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
        config.Searches.AddRange(searches.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Take(MaxSearches));
        config.Options.AddRange(options);
        return config;
    }

    private static DnsKind KindOf(V1PodSpec spec, bool haveClusterDns)
    {
        var hostNetwork = spec.HostNetwork == true;
        var kind = spec.DnsPolicy switch
        {
            "None" => DnsKind.None,
            "Default" => DnsKind.Host,
            "ClusterFirstWithHostNet" => DnsKind.Cluster,
            _ => hostNetwork ? DnsKind.Host : DnsKind.Cluster,
        };
        return kind == DnsKind.Cluster && !haveClusterDns ? DnsKind.Host : kind;
    }

    private static string OptionName(string option)
    {
        var colon = option.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? option : option[..colon];
    }

    private enum DnsKind
    {
        Cluster,
        Host,
        None,
    }
}

/// <summary>The parts of a resolv.conf a pod's resolver inherits.</summary>
public sealed record ResolvConf(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    public static readonly ResolvConf Empty = new([], [], []);

    /// <summary>Parses resolv.conf text: nameserver, search (the last one wins, as in glibc), domain, options.</summary>
    public static ResolvConf Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var nameservers = new List<string>();
        IReadOnlyList<string> searches = [];
        var options = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', ';')[0].Trim();
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            switch (fields[0])
            {
                case "nameserver":
                    nameservers.Add(fields[1]);
                    break;
                case "search":
                    searches = [.. fields.Skip(1).Select(s => s.TrimEnd('.'))];
                    break;
                case "domain":
                    searches = [fields[1].TrimEnd('.')];
                    break;
                case "options":
                    options.AddRange(fields.Skip(1));
                    break;
            }
        }

        return new ResolvConf(nameservers, searches, options);
    }
}
