using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stevedore.Network.Dns.Server;

/// <summary>Where and how the cluster DNS server listens.</summary>
public sealed record DnsServerOptions
{
    /// <summary>Address and port for both UDP and TCP; port 0 picks one free for both (tests).</summary>
    public required IPEndPoint Listen { get; init; }

    public DnsZoneOptions Zone { get; init; } = new();

    /// <summary>
    /// Where names outside the cluster zone (and unknown reverse names) are forwarded; null (the
    /// default) answers them REFUSED / NXDOMAIN and sends nothing anywhere.
    /// </summary>
    public IPEndPoint? Upstream { get; init; }

    /// <summary>The largest UDP response, and the size announced in EDNS: 1232 avoids IP fragmentation on any path (DNS flag day 2020).</summary>
    public int MaxUdpPayload { get; init; } = 1232;

    /// <summary>How many threads receive on the UDP socket (each blocks in a receive and answers inline).</summary>
    public int UdpReceivers { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>A TCP connection idle this long is closed (RFC 7766 suggests seconds; CoreDNS uses 10 s).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections beyond this are closed at once, so a flood of idle connections cannot exhaust memory.</summary>
    public int MaxTcpConnections { get; init; } = 512;

    /// <summary>How long a forwarded query waits for the upstream before the client gets SERVFAIL.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Forwarded queries in flight at most; beyond, SERVFAIL at once.</summary>
    public int MaxConcurrentForwards { get; init; } = 256;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Parses <c>IP</c>, <c>IP:port</c> or <c>[IPv6]:port</c> (port 53 by default), as <c>--dns-upstream</c> takes it.</summary>
    /// <exception cref="FormatException">Not an address with an optional port.</exception>
    public static IPEndPoint ParseUpstream(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IPAddress.TryParse(text, out var address) && !text.Contains(']', StringComparison.Ordinal))
        {
            return new IPEndPoint(address, 53);
        }

        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 && text.LastIndexOf(':') is var colon && colon > 0
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return endpoint;
        }

        throw new FormatException($"invalid DNS upstream \"{text}\": expected IP or IP:port, e.g. 192.0.2.53 or 192.0.2.53:5353");
    }
}
