using System.Net;

namespace Stevedore.Network.Tests;

public sealed class CidrTests
{
    [Theory]
    [InlineData("10.42.0.0/24", "10.42.0.0", 24)]
    [InlineData("10.0.0.0/8", "10.0.0.0", 8)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("fd00:42::/64", "fd00:42::", 64)]
    public void Parse_ValidNetwork_KeepsAddressAndPrefix(string text, string address, int prefix)
    {
        var cidr = Cidr.Parse(text, "pod CIDR");

        Assert.Equal(IPAddress.Parse(address), cidr.BaseAddress);
        Assert.Equal(prefix, cidr.PrefixLength);
    }

    [Fact]
    public void Parse_HostBitsSet_SuggestsTheNetwork()
    {
        var error = Assert.Throws<FormatException>(() => Cidr.Parse("10.42.0.5/24", "pod CIDR"));

        Assert.Contains("did you mean 10.42.0.0/24", error.Message, StringComparison.Ordinal);
        Assert.Contains("pod CIDR", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.42.0.0")]
    [InlineData("10.42.0.0/33")]
    [InlineData("10.42.0.0/-1")]
    [InlineData("banana/24")]
    [InlineData("fd00::/129")]
    [InlineData("/24")]
    public void Parse_Malformed_Throws(string text) =>
        Assert.Throws<FormatException>(() => Cidr.Parse(text, "pod CIDR"));

    [Theory]
    [InlineData("10.42.0.0/24", "10.42.0.1")]
    [InlineData("10.42.3.0/24", "10.42.3.1")]
    [InlineData("10.42.0.252/30", "10.42.0.253")]
    [InlineData("fd00:42::/64", "fd00:42::1")]
    public void Gateway_IsTheFirstAddressAfterTheNetwork(string network, string gateway) =>
        Assert.Equal(IPAddress.Parse(gateway), Cidr.Gateway(Cidr.Parse(network, "x")));

    [Fact]
    public void AddressAt_CarriesAcrossOctets()
    {
        var cidr = Cidr.Parse("10.42.0.0/16", "x");

        Assert.Equal(IPAddress.Parse("10.42.1.4"), Cidr.AddressAt(cidr, 260));
        Assert.Equal(IPAddress.Parse("10.42.255.255"), Cidr.AddressAt(cidr, 65535));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cidr.AddressAt(cidr, 65536));
    }

    [Fact]
    public void Size_CountsEveryAddress()
    {
        Assert.Equal(256, (int)Cidr.Size(Cidr.Parse("10.42.0.0/24", "x")));
        Assert.Equal(System.Numerics.BigInteger.One << 64, Cidr.Size(Cidr.Parse("fd00::/64", "x")));
    }

    [Theory]
    [InlineData("10.42.0.0/16", "10.42.7.0/24", true)]
    [InlineData("10.42.7.0/24", "10.42.0.0/16", true)]
    [InlineData("10.42.0.0/24", "10.42.1.0/24", false)]
    [InlineData("10.42.0.0/24", "fd00::/64", false)]
    public void Overlaps_SharedAddresses(string a, string b, bool expected) =>
        Assert.Equal(expected, Cidr.Overlaps(Cidr.Parse(a, "x"), Cidr.Parse(b, "x")));

    [Fact]
    public void NetworkOf_ClearsHostBits() =>
        Assert.Equal(Cidr.Parse("10.42.0.0/24", "x"), Cidr.NetworkOf(IPAddress.Parse("10.42.0.77"), 24));
}
