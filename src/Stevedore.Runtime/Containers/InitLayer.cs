namespace Stevedore.Runtime.Containers;

/// <summary>
/// The per-container layer between the image and the writable layer: /etc/hosts, /etc/hostname and
/// /etc/resolv.conf. It is a lower overlay layer, so commit (which reads only the upper directory)
/// never picks these files up.
/// </summary>
public static class InitLayer
{
    /// <summary>Paths (relative to the root) the init layer owns; commit skips them even if a container rewrote them.</summary>
    public static readonly IReadOnlySet<string> Files = new HashSet<string>(StringComparer.Ordinal) { "etc/hosts", "etc/hostname", "etc/resolv.conf" };

    /// <summary>
    /// Writes the init layer into <paramref name="dir"/>. resolv.conf comes from the container's DNS
    /// settings when it has any (a CRI sandbox's dns_config), else from the host's as described below.
    /// </summary>
    public static void Write(string dir, string hostname, bool hostNetwork, ContainerOptions? dns = null)
    {
        var etc = Path.Combine(dir, "etc");
        Directory.CreateDirectory(etc);
        File.SetUnixFileMode(etc, (UnixFileMode)0x1ED);
        File.WriteAllText(Path.Combine(etc, "hostname"), hostname + "\n");
        File.WriteAllText(Path.Combine(etc, "hosts"), HostsFile(hostname));
        var configured = dns is null ? "" : ResolvConf(dns.DnsServers, dns.DnsSearches, dns.DnsOptions);
        File.WriteAllText(Path.Combine(etc, "resolv.conf"), configured.Length > 0 ? configured : ResolvConf(hostNetwork ? ReadHostResolvConf() : ""));
        foreach (var file in Files)
        {
            File.SetUnixFileMode(Path.Combine(dir, file), (UnixFileMode)0x1A4);
        }
    }

    /// <summary>The hosts file for a container.</summary>
    public static string HostsFile(string hostname) =>
        $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n127.0.1.1\t{hostname}\n";

    /// <summary>
    /// The resolv.conf for a container: the host's search and options lines, and its nameservers
    /// except loopback ones, which would mean nothing inside another network namespace.
    /// </summary>
    public static string ResolvConf(string hostResolvConf)
    {
        var lines = hostResolvConf.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("search ", StringComparison.Ordinal) || l.StartsWith("options ", StringComparison.Ordinal)
                || l.StartsWith("nameserver ", StringComparison.Ordinal) && !l["nameserver ".Length..].Trim().StartsWith("127.", StringComparison.Ordinal) && l["nameserver ".Length..].Trim() != "::1")
            .ToList();
        return lines.Count == 0 ? "" : string.Join('\n', lines) + "\n";
    }

    /// <summary>A resolv.conf from explicit settings (kubelet's dns_config); empty when all three are empty.</summary>
    public static string ResolvConf(IReadOnlyList<string> servers, IReadOnlyList<string> searches, IReadOnlyList<string> options)
    {
        var text = new System.Text.StringBuilder();
        if (searches.Count > 0)
        {
            text.Append("search ").AppendJoin(' ', searches).Append('\n');
        }

        foreach (var server in servers)
        {
            text.Append("nameserver ").Append(server).Append('\n');
        }

        if (options.Count > 0)
        {
            text.Append("options ").AppendJoin(' ', options).Append('\n');
        }

        return text.ToString();
    }

    private static string ReadHostResolvConf()
    {
        try
        {
            return File.ReadAllText("/etc/resolv.conf");
        }
        catch (IOException)
        {
            return "";
        }
    }
}
