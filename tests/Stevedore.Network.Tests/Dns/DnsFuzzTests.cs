using System.Buffers.Binary;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;
using Stevedore.Network.Dns.Wire;
using static Stevedore.Network.Tests.Dns.DnsTesting;

namespace Stevedore.Network.Tests.Dns;

/// <summary>Random and mutated packets through the whole request path: never an exception, always a well-formed response or silence.</summary>
public sealed class DnsFuzzTests
{
    private static readonly string[] Names =
    [
        "my-svc.default.svc.cluster.local", "nginx.default.svc.cluster.local", "web-0.nginx.default.svc.cluster.local",
        "_http._tcp.my-svc.default.svc.cluster.local", "20.0.43.10.in-addr.arpa", "10-42-0-5.default.pod.cluster.local",
        "ext.default.svc.cluster.local", "nope.cluster.local", "example.com",
    ];

    private static readonly ushort[] Types = [DnsType.A, DnsType.AAAA, DnsType.SRV, DnsType.PTR, DnsType.CNAME, DnsType.ANY, DnsType.TXT, 99];

    private static DnsRecordStore Store()
    {
        var store = new DnsRecordStore();
        store.Publish(Snapshot(
            ClusterIp("default", "my-svc", "10.43.0.20", new DnsPort("http", "TCP", 80)),
            Headless("default", "nginx", [.. Enumerable.Range(1, 60).Select(i => Endpoint($"10.42.0.{i}", i == 5 ? "web-0" : null, ports: new DnsPort("web", "TCP", 8080)))]),
            new DnsService { Namespace = "default", Name = "ext", Kind = DnsServiceKind.ExternalName, ExternalName = "www.example.com" }));
        return store;
    }

    [Fact]
    public void RandomBytes_NeverThrowAndEveryResponseParses()
    {
        var statistics = new DnsServerStatistics();
        var responder = new DnsResponder(new DnsResolver(Zone), Store(), statistics, 1232, forwarding: false);
        var random = new Random(20240611);
        var response = new byte[DnsResponder.MaxMessage];
        var sent = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var packet = new byte[random.Next(0, 600)];
            random.NextBytes(packet);
            if (i % 2 == 0 && packet.Length > 2)
            {
                packet[2] &= 0x7F; // half of them claim to be queries, so they get past the first check
            }

            sent += CheckOne(responder, packet, response, tcp: i % 5 == 0) ? 1 : 0;
        }

        Assert.Equal(20_000, statistics.Received);
        Assert.True(sent > 1000, $"only {sent} of 20,000 random packets were answered");
        Assert.True(statistics.Malformed > 1000);
        StillAnswers(responder);
    }

    [Fact]
    public void MutatedQueries_NeverThrowAndEveryResponseParses()
    {
        var statistics = new DnsServerStatistics();
        var responder = new DnsResponder(new DnsResolver(Zone), Store(), statistics, 1232, forwarding: false);
        var random = new Random(7);
        var response = new byte[DnsResponder.MaxMessage];
        var answered = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var packet = DnsMessage.BuildQuery((ushort)i, Names[random.Next(Names.Length)], Types[random.Next(Types.Length)], ednsUdpSize: random.Next(3) == 0 ? 4096 : null).ToList();
            switch (random.Next(5))
            {
                case 0:
                    // Flip a few bytes anywhere.
                    for (var n = random.Next(1, 6); n > 0; n--)
                    {
                        packet[random.Next(packet.Count)] = (byte)random.Next(256);
                    }

                    break;
                case 1:
                    // Cut short.
                    var keep = random.Next(packet.Count);
                    packet.RemoveRange(keep, packet.Count - keep);
                    break;
                case 2:
                    packet.InsertRange(random.Next(12, packet.Count), Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256)));
                    break;
                case 3:
                    // Section counts that lie.
                    var counts = packet.ToArray();
                    BinaryPrimitives.WriteUInt16BigEndian(counts.AsSpan(4 + (2 * random.Next(4))), (ushort)random.Next(65536));
                    packet = [.. counts];
                    break;
                default:
                    // A compression pointer somewhere in the question.
                    var at = random.Next(12, packet.Count - 1);
                    packet[at] = (byte)(0xC0 | random.Next(64));
                    packet[at + 1] = (byte)random.Next(256);
                    break;
            }

            answered += CheckOne(responder, [.. packet], response, tcp: i % 7 == 0) ? 1 : 0;
        }

        Assert.True(answered > 10_000, $"only {answered} of 20,000 mutated queries were answered");
        StillAnswers(responder);
    }

    /// <summary>Responds and checks the response; true when one was sent.</summary>
    private static bool CheckOne(DnsResponder responder, byte[] packet, byte[] response, bool tcp)
    {
        var outcome = responder.Respond(packet, response, tcp, out var length);
        Assert.NotEqual(DnsOutcome.Forward, outcome);
        if (outcome == DnsOutcome.Drop)
        {
            return false;
        }

        var limit = tcp ? DnsResponder.MaxMessage : 1232;
        Assert.InRange(length, 12, limit);
        DnsMessage parsed;
        try
        {
            parsed = DnsMessage.Parse(response.AsSpan(0, length));
        }
        catch (FormatException ex)
        {
            throw new Xunit.Sdk.XunitException($"unparsable response to {Convert.ToHexString(packet)}: {ex.Message}");
        }

        Assert.True(parsed.IsResponse);
        Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(packet), parsed.Id);
        Assert.True(parsed.Questions.Count <= 1);
        return true;
    }

    private static void StillAnswers(DnsResponder responder)
    {
        var response = new byte[DnsResponder.MaxMessage];
        Assert.Equal(DnsOutcome.Send, responder.Respond(DnsMessage.BuildQuery(9, "my-svc.default.svc.cluster.local", DnsType.A), response, false, out var length));
        Assert.Equal("10.43.0.20", Assert.Single(DnsMessage.Parse(response.AsSpan(0, length)).Answers).Data);
    }
}
