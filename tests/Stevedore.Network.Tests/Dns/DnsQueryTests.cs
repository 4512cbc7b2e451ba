using System.Buffers.Binary;
using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Tests.Dns;

public sealed class DnsQueryTests
{
    [Fact]
    public void Parse_PlainQuery_ReadsHeaderQuestionAndKey()
    {
        var query = new DnsQuery();

        Assert.Equal(DnsParseResult.Ok, query.Parse(DnsMessage.BuildQuery(7, "My-Svc.Default.svc.cluster.local", DnsType.AAAA)));

        Assert.Equal(7, query.Id);
        Assert.True(query.RecursionDesired);
        Assert.Equal(DnsType.AAAA, query.Type);
        Assert.Equal(DnsClass.IN, query.Class);
        Assert.Equal("my-svc.default.svc.cluster.local", query.Key.ToString());
        Assert.Equal("My-Svc.Default.svc.cluster.local.", DnsName.ToText(query.NameWire));
        Assert.False(query.HasEdns);
        Assert.Equal(512, query.UdpPayloadSize);
    }

    [Fact]
    public void Parse_WithOpt_TakesTheClientsUdpSizeButNeverBelow512()
    {
        var query = new DnsQuery();

        Assert.Equal(DnsParseResult.Ok, query.Parse(DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A, ednsUdpSize: 4096)));
        Assert.True(query.HasEdns);
        Assert.Equal(4096, query.UdpPayloadSize);

        Assert.Equal(DnsParseResult.Ok, query.Parse(DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A, ednsUdpSize: 100)));
        Assert.Equal(512, query.UdpPayloadSize);
    }

    [Fact]
    public void Parse_ReusedForAnotherQuery_ForgetsThePrevious()
    {
        var query = new DnsQuery();
        query.Parse(DnsMessage.BuildQuery(1, "long.name.of.a.thing.cluster.local", DnsType.A, ednsUdpSize: 4096));

        Assert.Equal(DnsParseResult.Ok, query.Parse(DnsMessage.BuildQuery(2, "x.local", DnsType.TXT)));

        Assert.Equal("x.local", query.Key.ToString());
        Assert.False(query.HasEdns);
        Assert.Equal(512, query.UdpPayloadSize);
    }

    [Fact]
    public void Parse_ShorterThanAHeader_Dropped()
    {
        Assert.Equal(DnsParseResult.Drop, new DnsQuery().Parse(new byte[11]));
    }

    [Fact]
    public void Parse_AResponse_DroppedSoTwoServersCannotLoop()
    {
        var message = DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A);
        message[2] |= 0x80;

        Assert.Equal(DnsParseResult.Drop, new DnsQuery().Parse(message));
    }

    [Fact]
    public void Parse_OtherOpcode_NotImplemented()
    {
        var message = DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A);
        message[2] |= 2 << 3; // STATUS

        Assert.Equal(DnsParseResult.NotImplemented, new DnsQuery().Parse(message));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Parse_NotExactlyOneQuestion_FormatError(int questions)
    {
        var message = DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)questions);

        var query = new DnsQuery();
        Assert.Equal(DnsParseResult.FormatError, query.Parse(message));
        Assert.False(query.HasQuestion);
        Assert.Equal(1, query.Id);
    }

    [Fact]
    public void Parse_QuestionCutShort_FormatError()
    {
        var message = DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A);

        Assert.Equal(DnsParseResult.FormatError, new DnsQuery().Parse(message.AsSpan(0, message.Length - 2)));
    }

    [Fact]
    public void Parse_AdditionalCountBeyondTheMessage_FormatErrorWithTheQuestionKept()
    {
        var message = DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(10), 3);

        var query = new DnsQuery();
        Assert.Equal(DnsParseResult.FormatError, query.Parse(message));
        Assert.True(query.HasQuestion);
    }

    [Fact]
    public void Parse_TwoOptRecords_FormatError()
    {
        var once = DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A, ednsUdpSize: 1232);
        byte[] twice = [.. once, .. once.AsSpan(once.Length - 11)];
        BinaryPrimitives.WriteUInt16BigEndian(twice.AsSpan(10), 2);

        Assert.Equal(DnsParseResult.FormatError, new DnsQuery().Parse(twice));
    }

    [Fact]
    public void Parse_EdnsVersion1_BadVersion()
    {
        var message = DnsMessage.BuildQuery(1, "a.cluster.local", DnsType.A, ednsUdpSize: 1232);
        message[^5] = 1; // the version byte of the OPT TTL

        Assert.Equal(DnsParseResult.BadVersion, new DnsQuery().Parse(message));
    }
}
