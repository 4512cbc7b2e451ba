using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Stevedore.ApiServer.Services;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;

namespace Stevedore.Commands;

/// <summary>The cluster DNS flags <c>server</c> and <c>agent</c> share: <c>--cluster-dns</c>, <c>--cluster-domain</c>, <c>--dns-upstream</c>.</summary>
internal sealed record ClusterDnsOptions(Option<string?> Address, Option<string> Domain, Option<string?> Upstream)
{
    /// <param name="defaultAddress">Shown as the default; null when it derives from <c>--service-cidr</c>.</param>
    public static ClusterDnsOptions Create(string? defaultAddress) => new(
        new Option<string?>("--cluster-dns")
        {
            Description = "Cluster DNS address: served by every node agent and the nameserver of pods "
                + (defaultAddress is null ? "(default: the --service-cidr base + 10, 10.43.0.10)" : $"(default {defaultAddress})"),
        },
        new Option<string>("--cluster-domain") { Description = "Cluster DNS domain", DefaultValueFactory = _ => DnsZoneOptions.DefaultDomain },
        new Option<string?>("--dns-upstream") { Description = "Forward DNS names outside the cluster to IP[:port] (default: answer them REFUSED, forward nothing)" });

    /// <summary>Reads and checks the flags; null when they are fine, else the message. With a service range the address must lie in it.</summary>
    public string? Read(ParseResult parse, ServiceIPRange? serviceRange, out IPAddress address, out string domain, out IPEndPoint? upstream)
    {
        address = NodeDnsOptionsDefault(serviceRange);
        domain = parse.GetValue(Domain)!;
        upstream = null;
        if (parse.GetValue(Address) is { } text)
        {
            if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetwork)
            {
                return $"--cluster-dns {text}: expected an IPv4 address, e.g. 10.43.0.10";
            }

            if (serviceRange is not null && serviceRange.OffsetOf(parsed) < 0)
            {
                return $"--cluster-dns {text}: must be inside --service-cidr {serviceRange.Cidr} (the kube-dns Service holds it)";
            }

            address = parsed;
        }

        try
        {
            new DnsZoneOptions { Domain = domain }.Validate();
            domain = domain.TrimEnd('.');
        }
        catch (FormatException ex)
        {
            return "--cluster-domain: " + ex.Message;
        }

        if (parse.GetValue(Upstream) is { } upstreamText)
        {
            try
            {
                upstream = DnsServerOptions.ParseUpstream(upstreamText);
            }
            catch (FormatException ex)
            {
                return "--dns-upstream: " + ex.Message;
            }
        }

        return null;
    }

    private static IPAddress NodeDnsOptionsDefault(ServiceIPRange? range) =>
        range is null ? Kubelet.Dns.NodeDnsOptions.DefaultAddress : ClusterDnsService.DefaultAddress(range);
}
