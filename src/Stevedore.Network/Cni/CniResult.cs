using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.Network.Cni;

/// <summary>An interface a plugin created or configured; <see cref="Sandbox"/> is set for interfaces inside the namespace.</summary>
public sealed record CniInterface(string Name, string Mac, string Sandbox);

/// <summary>An address a plugin assigned, with its prefix, gateway and the interface (index into <see cref="CniResult.Interfaces"/>).</summary>
public sealed record CniIpConfig(IPAddress Address, int PrefixLength, IPAddress? Gateway, int? InterfaceIndex)
{
    /// <summary><c>address/prefix</c>, as CNI writes it.</summary>
    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>A route a plugin installed inside the namespace; <see cref="Gateway"/> null means the default gateway.</summary>
public sealed record CniRoute(IPNetwork Destination, IPAddress? Gateway);

/// <summary>DNS settings a plugin suggests (the runtime decides whether to use them).</summary>
public sealed record CniDns(IReadOnlyList<string> Nameservers, string Domain, IReadOnlyList<string> Search, IReadOnlyList<string> Options);

/// <summary>
/// The result of a CNI ADD (CNI spec result format, versions 0.3.0 to 1.0.0): interfaces, IPs, routes,
/// DNS. <see cref="Json"/> keeps the result as the plugin wrote it, to be passed on as <c>prevResult</c>.
/// </summary>
public sealed class CniResult
{
    private CniResult(JsonObject json, string cniVersion, IReadOnlyList<CniInterface> interfaces, IReadOnlyList<CniIpConfig> ips, IReadOnlyList<CniRoute> routes, CniDns dns)
    {
        Json = json;
        CniVersion = cniVersion;
        Interfaces = interfaces;
        Ips = ips;
        Routes = routes;
        Dns = dns;
    }

    /// <summary>The result object as the last plugin returned it.</summary>
    public JsonObject Json { get; }

    /// <summary>The result's <c>cniVersion</c>.</summary>
    public string CniVersion { get; }

    public IReadOnlyList<CniInterface> Interfaces { get; }
    public IReadOnlyList<CniIpConfig> Ips { get; }
    public IReadOnlyList<CniRoute> Routes { get; }
    public CniDns Dns { get; }

    /// <summary>
    /// The addresses of the sandbox interface <paramref name="ifName"/>, IPv4 first (the order kubelet
    /// takes the primary pod IP in). IPs naming no interface count as the sandbox's.
    /// </summary>
    public IReadOnlyList<IPAddress> SandboxAddresses(string ifName) =>
        [.. Ips.Where(ip => ip.InterfaceIndex is not { } index
                || (index >= 0 && index < Interfaces.Count && Interfaces[index].Name == ifName && Interfaces[index].Sandbox.Length > 0))
            .Select(ip => ip.Address)
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)];

    /// <summary>Parses a result; <paramref name="plugin"/> names who produced it in errors.</summary>
    /// <exception cref="CniException">The text is not a CNI result.</exception>
    public static CniResult Parse(string text, string plugin, string command)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("the result is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CniException(plugin, command, 0, "the plugin's output is not a CNI result: " + ex.Message, Truncate(text));
        }

        return FromJson(json, plugin, command);
    }

    /// <summary>Reads a result object (e.g. one stored after ADD).</summary>
    /// <exception cref="CniException">The object is not a CNI result.</exception>
    public static CniResult FromJson(JsonObject json, string plugin, string command)
    {
        try
        {
            var interfaces = Array(json, "interfaces")
                .Select(i => new CniInterface(Text(i, "name"), Text(i, "mac"), Text(i, "sandbox")))
                .ToList();
            var ips = Array(json, "ips").Select(ip => ParseIp(ip, interfaces.Count)).ToList();
            var routes = Array(json, "routes")
                .Select(r => new CniRoute(Cidr.Parse(NormalizeCidr(Required(r, "dst")), "route destination"), OptionalAddress(r, "gw")))
                .ToList();
            var dnsNode = json["dns"] as JsonObject;
            var dns = new CniDns(Strings(dnsNode, "nameservers"), dnsNode is null ? "" : Text(dnsNode, "domain"), Strings(dnsNode, "search"), Strings(dnsNode, "options"));
            return new CniResult(json, json["cniVersion"]?.GetValue<string>() ?? "", interfaces, ips, routes, dns);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException or ArgumentException)
        {
            throw new CniException(plugin, command, 0, "the plugin's result is malformed: " + ex.Message, Truncate(json.ToJsonString()));
        }
    }

    private static CniIpConfig ParseIp(JsonNode ip, int interfaceCount)
    {
        var address = Required(ip, "address");
        var slash = address.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(address.AsSpan(0, slash), out var parsed)
            || !int.TryParse(address.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            || prefix < 0 || prefix > Cidr.MaxPrefix(parsed))
        {
            throw new FormatException($"IP \"{address}\" is not an address with a prefix length");
        }

        int? index = ip["interface"] is { } node ? node.GetValue<int>() : null;
        if (index is { } i && (i < 0 || i >= interfaceCount))
        {
            throw new FormatException($"IP {address} names interface {i}, but the result lists {interfaceCount} interfaces");
        }

        return new CniIpConfig(parsed, prefix, OptionalAddress(ip, "gateway"), index);
    }

    // Routes are networks, but plugins sometimes write a host route with host bits (e.g. "10.0.0.5/24"); keep its network.
    private static string NormalizeCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && IPAddress.TryParse(text.AsSpan(0, slash), out var address) && int.TryParse(text.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            && prefix >= 0 && prefix <= Cidr.MaxPrefix(address))
        {
            var network = Cidr.NetworkOf(address, prefix);
            return $"{network.BaseAddress}/{prefix}";
        }

        return text;
    }

    private static IEnumerable<JsonNode> Array(JsonObject json, string name) =>
        json[name] switch
        {
            null => [],
            JsonArray array => array.Select(n => n ?? throw new FormatException($"\"{name}\" holds a null entry")),
            _ => throw new FormatException($"\"{name}\" is not an array"),
        };

    private static string Required(JsonNode node, string name) =>
        node[name]?.GetValue<string>() is { Length: > 0 } value ? value : throw new FormatException($"an entry lacks \"{name}\"");

    private static string Text(JsonNode node, string name) => node[name]?.GetValue<string>() ?? "";

    private static IPAddress? OptionalAddress(JsonNode node, string name) =>
        node[name]?.GetValue<string>() is { Length: > 0 } text
            ? IPAddress.TryParse(text, out var address) ? address : throw new FormatException($"\"{name}\" \"{text}\" is not an IP address")
            : null;

    private static List<string> Strings(JsonObject? node, string name) =>
        node?[name] is JsonArray array ? [.. array.Select(n => n?.GetValue<string>() ?? "")] : [];

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000] + "…";
}
