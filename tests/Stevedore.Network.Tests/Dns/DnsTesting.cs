using System.Net;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Tests.Dns;

/// <summary>Builds zones from a few Services and asks them questions through the real codec (query bytes in, response bytes out).</summary>
internal static class DnsTesting
{
    public static readonly DnsZoneOptions Zone = new();

    public static DnsService ClusterIp(string ns, string name, string ip, params DnsPort[] ports) =>
        new() { Namespace = ns, Name = name, ClusterIPs = [IPAddress.Parse(ip)], Ports = ports };

    public static DnsService Headless(string ns, string name, params DnsEndpoint[] endpoints) =>
        new() { Namespace = ns, Name = name, Kind = DnsServiceKind.Headless, Endpoints = endpoints };

    public static DnsEndpoint Endpoint(string ip, string? hostname = null, bool ready = true, params DnsPort[] ports) =>
        new([IPAddress.Parse(ip)], hostname, ready, ports);

    public static DnsSnapshot Snapshot(params DnsService[] services) => DnsSnapshotBuilder.Build(Zone, services, 42);

    /// <summary>The answer to one question, decoded, and whether the resolver would let it be forwarded.</summary>
    public static (DnsMessage Response, DnsResolution Resolution) Ask(
        DnsSnapshot? snapshot, string name, ushort type, int? ednsUdpSize = null, int? limit = null, DnsZoneOptions? zone = null)
    {
        var query = new DnsQuery();
        Assert.Equal(DnsParseResult.Ok, query.Parse(DnsMessage.BuildQuery(0x1234, name, type, ednsUdpSize: ednsUdpSize)));
        var answer = new DnsAnswer();
        var resolution = new DnsResolver(zone ?? Zone).Resolve(snapshot, query, answer);
        var buffer = new byte[65535];
        var length = new DnsResponseWriter().Write(query, answer, buffer, limit ?? Math.Min(query.UdpPayloadSize, 1232), recursionAvailable: false);
        var response = DnsMessage.Parse(buffer.AsSpan(0, length));
        Assert.Equal(0x1234, response.Id);
        Assert.True(response.IsResponse);
        return (response, resolution);
    }

    public static DnsMessage Answer(DnsSnapshot? snapshot, string name, ushort type, int? ednsUdpSize = null, int? limit = null) =>
        Ask(snapshot, name, type, ednsUdpSize, limit).Response;

    public static string[] Data(IEnumerable<DnsResourceRecord> records, ushort type) =>
        [.. records.Where(r => r.Type == type).Select(r => r.Data).Order(StringComparer.Ordinal)];
}
