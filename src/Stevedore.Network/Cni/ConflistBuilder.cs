using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.Network.Cni;

/// <summary>
/// Builds and writes the node's pod network conflist: <c>bridge</c> (gateway on the bridge, host-local
/// addresses from the pod CIDRs, a default route through the bridge) then <c>portmap</c> (hostPorts,
/// with SNAT so they also answer on 127.0.0.1). Loopback is not in the list: runtimes attach it to
/// every sandbox's <c>lo</c> themselves.
/// </summary>
public static class ConflistBuilder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The conflist for <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are not usable (no or bad CIDRs, bad names).</exception>
    public static JsonObject Build(ConflistOptions options)
    {
        Validate(options);
        var ranges = new JsonArray();
        var routes = new JsonArray();
        foreach (var text in options.PodCidrs)
        {
            var cidr = Cidr.Parse(text, "pod CIDR");
            ranges.Add(new JsonArray(new JsonObject
            {
                ["subnet"] = text,
                ["gateway"] = Cidr.Gateway(cidr).ToString(),
            }));
            routes.Add(new JsonObject { ["dst"] = cidr.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "::/0" : "0.0.0.0/0" });
        }

        var bridge = new JsonObject
        {
            ["type"] = "bridge",
            ["bridge"] = options.BridgeName,
            ["isGateway"] = true,
            ["ipMasq"] = options.Masquerade,
            ["hairpinMode"] = options.HairpinMode,
            ["ipam"] = new JsonObject
            {
                ["type"] = "host-local",
                ["ranges"] = ranges,
                ["routes"] = routes,
                ["dataDir"] = options.IpamDataDir,
            },
        };
        if (options.Mtu > 0)
        {
            bridge["mtu"] = options.Mtu;
        }

        return new JsonObject
        {
            ["cniVersion"] = options.CniVersion,
            ["name"] = options.NetworkName,
            ["plugins"] = new JsonArray(
                bridge,
                new JsonObject
                {
                    ["type"] = "portmap",
                    ["capabilities"] = new JsonObject { [CniPortMapping.Capability] = true },
                    ["snat"] = true,
                }),
        };
    }

    /// <summary>The conflist as the indented text written to disk.</summary>
    public static string Render(ConflistOptions options) => Build(options).ToJsonString(Indented) + "\n";

    /// <summary>
    /// Writes the conflist to <c>&lt;confDir&gt;/&lt;fileName&gt;</c> atomically (a runtime polling the
    /// directory never reads half a file); leaves an identical file alone. Returns whether it changed.
    /// </summary>
    public static bool Write(string confDir, ConflistOptions options, string fileName = ConflistOptions.DefaultFileName)
    {
        var text = Render(options);
        var path = Path.Combine(confDir, fileName);
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return false;
        }

        Directory.CreateDirectory(confDir);
        Directory.CreateDirectory(options.IpamDataDir);
        // Not a CNI extension, so a runtime never picks up the temporary file.
        var temporary = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(temporary, text, new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
        return true;
    }

    /// <summary>Removes the conflist; true when there was one.</summary>
    public static bool Remove(string confDir, string fileName = ConflistOptions.DefaultFileName)
    {
        var path = Path.Combine(confDir, fileName);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    private static void Validate(ConflistOptions options)
    {
        if (options.PodCidrs.Count == 0)
        {
            throw new ArgumentException("the node has no pod CIDR yet: a conflist needs at least one (e.g. 10.42.0.0/24)");
        }

        var families = new HashSet<AddressFamily>();
        foreach (var text in options.PodCidrs)
        {
            CheckPodCidr(text, families);
        }

        if (options.BridgeName.Length is 0 or > 15 || !options.BridgeName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException($"invalid bridge name \"{options.BridgeName}\": 1 to 15 letters, digits, _ - .");
        }

        if (options.NetworkName.Length == 0 || !options.NetworkName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException($"invalid network name \"{options.NetworkName}\": letters, digits, _ - .");
        }

        if (!Path.IsPathRooted(options.IpamDataDir))
        {
            throw new ArgumentException($"the IPAM data directory must be an absolute path (got \"{options.IpamDataDir}\")");
        }

        if (options.Mtu is < 0 or (> 0 and < 576) or > 65535)
        {
            throw new ArgumentException($"invalid MTU {options.Mtu}: 576 to 65535, or 0 for the default");
        }
    }

    private static void CheckPodCidr(string text, HashSet<AddressFamily> families)
    {
        System.Net.IPNetwork cidr;
        try
        {
            cidr = Cidr.Parse(text, "pod CIDR");
        }
        catch (FormatException ex)
        {
            throw new ArgumentException(ex.Message, ex);
        }

        // A gateway and at least one pod: /30 (IPv4) or /126 (IPv6) at the smallest.
        var family = cidr.BaseAddress.AddressFamily;
        if (cidr.PrefixLength > Cidr.MaxPrefix(cidr.BaseAddress) - 2)
        {
            throw new ArgumentException($"pod CIDR {text} is too small: it needs room for a gateway and pods (at most /{Cidr.MaxPrefix(cidr.BaseAddress) - 2})");
        }

        if (!families.Add(family))
        {
            throw new ArgumentException($"at most one pod CIDR per address family: {text} is a second {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} range");
        }
    }
}
