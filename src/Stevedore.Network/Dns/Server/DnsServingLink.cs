using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Stevedore.Network.Dns.Server;

/// <summary>
/// The link that holds the cluster DNS address on the node (as NodeLocal DNSCache's dummy link does):
/// the address is local, so a pod's query — routed to its gateway, the bridge — is delivered to the
/// server on this node instead of being forwarded anywhere, and the egress guard (a forward-hook
/// filter) never sees it. The link is a bridge without ports rather than a <c>dummy</c>: it behaves
/// the same for a local address, and the bridge driver is on every node that runs pods (the CNI
/// bridge plugin needs it) while some kernels are built without the dummy driver.
/// Idempotent; <see cref="RemoveAsync"/> takes the link and its address away.
/// </summary>
public sealed class DnsServingLink
{
    public const string DefaultName = "stevedore-dns";

    public DnsServingLink(string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 15 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException($"invalid link name \"{name}\": 1 to 15 letters, digits, _ - .", nameof(name));
        }

        Name = name;
    }

    public string Name { get; }

    public bool Exists => Directory.Exists("/sys/class/net/" + Name);

    /// <summary>Creates the link if needed, makes <paramref name="address"/> its only address, and brings it up.</summary>
    /// <exception cref="NetworkCommandException"><c>ip</c> refused (not root, no dummy driver, ...).</exception>
    public async Task EnsureAsync(IPAddress address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Exists)
        {
            string[] add = ["link", "add", Name, "type", "bridge"];
            var (exitCode, _, stderr) = await HostCommand.RunAsync("ip", add, null, cancellationToken);
            if (exitCode != 0 && !Exists)
            {
                throw new NetworkCommandException("ip", add, exitCode, stderr.Trim());
            }

            // No IPv6 link-local address: the link only ever holds the DNS address.
            await HostCommand.RunAsync("ip", ["link", "set", Name, "addrgenmode", "none"], null, cancellationToken);
        }

        // A changed cluster DNS address must not leave the old one answering.
        foreach (var other in (await AddressesAsync(cancellationToken)).Where(a => !a.Equals(address)))
        {
            await HostCommand.RunAsync("ip", ["addr", "del", HostPrefix(other), "dev", Name], null, cancellationToken);
        }

        string[] assign = address.AddressFamily == AddressFamily.InterNetworkV6
            ? ["addr", "replace", HostPrefix(address), "dev", Name, "nodad"]
            : ["addr", "replace", HostPrefix(address), "dev", Name];
        await HostCommand.RunCheckedAsync("ip", assign, null, cancellationToken);
        await HostCommand.RunCheckedAsync("ip", ["link", "set", Name, "up"], null, cancellationToken);
    }

    /// <summary>The addresses on the link, IPv6 link-local ones aside (none when it does not exist).</summary>
    public async Task<IReadOnlyList<IPAddress>> AddressesAsync(CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return [];
        }

        var json = await HostCommand.RunCheckedAsync("ip", ["-j", "addr", "show", "dev", Name], null, cancellationToken);
        var addresses = new List<IPAddress>();
        foreach (var link in JsonNode.Parse(json)?.AsArray() ?? [])
        {
            foreach (var info in link?["addr_info"]?.AsArray() ?? [])
            {
                if (info?["local"]?.GetValue<string>() is { } local && IPAddress.TryParse(local, out var parsed) && !parsed.IsIPv6LinkLocal)
                {
                    addresses.Add(parsed);
                }
            }
        }

        return addresses;
    }

    /// <summary>Deletes the link; nothing when it does not exist.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken)
    {
        if (!Exists)
        {
            return;
        }

        var (exitCode, _, stderr) = await HostCommand.RunAsync("ip", ["link", "delete", Name], null, cancellationToken);
        if (exitCode != 0 && Exists)
        {
            throw new NetworkCommandException("ip", ["link", "delete", Name], exitCode, stderr.Trim());
        }
    }

    private static string HostPrefix(IPAddress address) => address + (address.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32");
}
