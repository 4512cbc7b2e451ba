using System.Buffers.Binary;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Server;
using Stevedore.Network.Dns.Wire;
using static Stevedore.Network.Tests.Dns.DnsTesting;

namespace Stevedore.Network.Tests.Dns;

/// <summary>Request bytes to response bytes: the error responses and the forwarding decision.</summary>
public sealed class DnsResponderTests
{
    private static (DnsOutcome Outcome, DnsMessage? Response) Respond(byte[] request, bool forwarding = false)
    {
        var store = new DnsRecordStore();
        store.Publish(Snapshot(ClusterIp("default", "my-svc", "10.43.0.20")));
        var responder = new DnsResponder(new DnsResolver(Zone), store, new DnsServerStatistics(), 1232, forwarding);
        var buffer = new byte[DnsResponder.MaxMessage];
        var outcome = responder.Respond(request, buffer, tcp: false, out var length);
        return (outcome, outcome == DnsOutcome.Send ? DnsMessage.Parse(buffer.AsSpan(0, length)) : null);
    }

    [Fact]
    public void Respond_OtherOpcode_NotImplementedWithTheIdAndOpcodeEchoed()
    {
        var request = DnsMessage.BuildQuery(77, "my-svc.default.svc.cluster.local", DnsType.A);
        request[2] |= 4 << 3; // NOTIFY

        var (_, response) = Respond(request);

        Assert.Equal(77, response!.Id);
        Assert.Equal(4, response.Opcode);
        Assert.Equal(DnsResponseCode.NotImplemented, response.ResponseCode);
    }

    [Fact]
    public void Respond_EdnsVersion1_BadVersionInTheOptRecord()
    {
        var request = DnsMessage.BuildQuery(5, "my-svc.default.svc.cluster.local", DnsType.A, ednsUdpSize: 1232);
        request[^5] = 1;

        var (_, response) = Respond(request);

        Assert.Equal(DnsResponseCode.BadVersion, response!.ResponseCode);
        Assert.Equal(1232, response.EdnsUdpSize);
        Assert.Empty(response.Answers);
    }

    [Fact]
    public void Respond_TwoQuestions_FormatErrorWithoutAQuestion()
    {
        var request = DnsMessage.BuildQuery(6, "my-svc.default.svc.cluster.local", DnsType.A);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), 2);

        var (_, response) = Respond(request);

        Assert.Equal(DnsResponseCode.FormatError, response!.ResponseCode);
        Assert.Empty(response.Questions);
        Assert.Equal(6, response.Id);
    }

    [Fact]
    public void Respond_AResponse_Dropped()
    {
        var request = DnsMessage.BuildQuery(6, "my-svc.default.svc.cluster.local", DnsType.A);
        request[2] |= 0x80;

        Assert.Equal(DnsOutcome.Drop, Respond(request).Outcome);
    }

    [Fact]
    public void Respond_OutsideTheZone_ForwardedOnlyWithAnUpstream()
    {
        var request = DnsMessage.BuildQuery(8, "example.com", DnsType.A);

        var (without, refused) = Respond(request, forwarding: false);
        var (with, _) = Respond(request, forwarding: true);
        var (inZone, answer) = Respond(DnsMessage.BuildQuery(9, "my-svc.default.svc.cluster.local", DnsType.A), forwarding: true);

        Assert.Equal(DnsOutcome.Send, without);
        Assert.Equal(DnsResponseCode.Refused, refused!.ResponseCode);
        Assert.Equal(DnsOutcome.Forward, with);
        Assert.Equal(DnsOutcome.Send, inZone);
        Assert.True(answer!.RecursionAvailable);
    }

    [Fact]
    public void Respond_DnssecOkBit_CopiedIntoTheOptRecord()
    {
        var request = DnsMessage.BuildQuery(10, "my-svc.default.svc.cluster.local", DnsType.A, ednsUdpSize: 4096);
        request[^4] = 0x80; // DO

        var store = new DnsRecordStore();
        store.Publish(Snapshot(ClusterIp("default", "my-svc", "10.43.0.20")));
        var buffer = new byte[DnsResponder.MaxMessage];
        new DnsResponder(new DnsResolver(Zone), store, new DnsServerStatistics(), 1232, false).Respond(request, buffer, false, out var length);

        // The OPT record is last: its TTL's third byte carries DO.
        Assert.Equal(0x80, buffer[length - 4]);
        Assert.Equal("10.43.0.20", Assert.Single(DnsMessage.Parse(buffer.AsSpan(0, length)).Answers).Data);
    }
}
