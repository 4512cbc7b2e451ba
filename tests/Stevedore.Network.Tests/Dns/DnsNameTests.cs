using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Tests.Dns;

public sealed class DnsNameTests
{
    [Theory]
    [InlineData("web.default.svc.cluster.local", "web.default.svc.cluster.local.")]
    [InlineData("Web.Default.SVC.cluster.local.", "Web.Default.SVC.cluster.local.")]
    [InlineData("", ".")]
    [InlineData(".", ".")]
    public void Encode_ValidName_RoundTripsThroughText(string name, string text)
    {
        Assert.Equal(text, DnsName.ToText(DnsName.Encode(name)));
    }

    [Theory]
    [InlineData("a..b", "empty label")]
    [InlineData("héllo.local", "not ASCII")]
    public void Encode_InvalidName_ThrowsNamingTheProblem(string name, string problem)
    {
        var error = Assert.Throws<FormatException>(() => DnsName.Encode(name));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_LabelOver63_Refused()
    {
        Assert.False(DnsName.TryEncode(new string('a', 64) + ".local", out _, out var problem));
        Assert.Contains("longer than 63", problem, StringComparison.Ordinal);
        Assert.True(DnsName.TryEncode(new string('a', 63) + ".local", out _, out _));
    }

    [Fact]
    public void Encode_NameOver255_Refused()
    {
        var label = new string('a', 63);
        // 4 × (1 + 63) + 1 = 257 bytes.
        Assert.False(DnsName.TryEncode(string.Join('.', label, label, label, label), out _, out var problem));
        Assert.Contains("255", problem, StringComparison.Ordinal);
        // 3 × 64 + (1 + 61) + 1 = 255 bytes: the longest name.
        Assert.True(DnsName.TryEncode(string.Join('.', label, label, label, new string('b', 61)), out var wire, out _));
        Assert.Equal(255, wire.Length);
    }

    [Fact]
    public void TryRead_FollowsBackwardPointers()
    {
        // "cluster.local" at 0, then "svc" + pointer to 0 at 15.
        byte[] message = [7, .. "cluster"u8, 5, .. "local"u8, 0, 3, .. "svc"u8, 0xC0, 0];
        var wire = new byte[255];

        Assert.True(DnsName.TryRead(message, 15, wire, out var length, out var next));

        Assert.Equal("svc.cluster.local.", DnsName.ToText(wire.AsSpan(0, length)));
        Assert.Equal(message.Length, next);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0x00 })]                 // points at itself
    [InlineData(new byte[] { 0xC0, 0x02, 1, (byte)'a', 0 })] // points forwards
    [InlineData(new byte[] { 1, (byte)'a', 0xC0, 0x00 })]    // loops back to its own start
    [InlineData(new byte[] { 3, (byte)'a', (byte)'b' })]     // label runs past the end
    [InlineData(new byte[] { 1, (byte)'a' })]                // no terminating zero
    [InlineData(new byte[] { 0x40, 0 })]                     // extended label type
    [InlineData(new byte[] { 0x80, 0 })]                     // reserved label type
    [InlineData(new byte[] { 0xC0 })]                        // half a pointer
    public void TryRead_MalformedName_Refused(byte[] message)
    {
        Assert.False(DnsName.TryRead(message, 0, new byte[255], out _, out _));
    }

    [Fact]
    public void TryRead_PointerChainLongerThan255_Refused()
    {
        // Each label "a" is followed by a pointer to the previous one: a chain of 200 labels (400 bytes of name).
        var message = new List<byte> { 1, (byte)'a', 0 };
        for (var i = 1; i < 200; i++)
        {
            var previous = message.Count - (i == 1 ? 3 : 4);
            message.AddRange([1, (byte)'a', (byte)(0xC0 | (previous >> 8)), (byte)previous]);
        }

        Assert.False(DnsName.TryRead(message.ToArray(), message.Count - 4, new byte[255], out _, out _));
    }

    [Fact]
    public void ToKey_LowerCasesAndMarksDotsInsideLabels()
    {
        byte[] wire = [3, .. "WeB"u8, 3, .. "a.b"u8, 5, .. "LOCAL"u8, 0];

        Assert.Equal("web.a\0b.local", DnsName.ToKey(wire));
        Assert.Equal("", DnsName.ToKey([0]));
    }

    [Theory]
    [InlineData("cluster.local", "cluster.local", true)]
    [InlineData("a.svc.cluster.local", "cluster.local", true)]
    [InlineData("xcluster.local", "cluster.local", false)]
    [InlineData("local", "cluster.local", false)]
    [InlineData("anything", "", true)]
    public void IsAtOrBelow_MatchesWholeLabelsOnly(string key, string zone, bool expected)
    {
        Assert.Equal(expected, DnsName.IsAtOrBelow(key, zone));
    }
}
