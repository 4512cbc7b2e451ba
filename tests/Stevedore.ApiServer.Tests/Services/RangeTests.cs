using System.Net;
using Stevedore.ApiServer.Services;

namespace Stevedore.ApiServer.Tests.Services;

public sealed class RangeTests
{
    [Theory]
    [InlineData("10.43.0.0/16", "10.43.0.0/16", 65534, 256, "10.43.0.1")]
    [InlineData("10.43.7.9/16", "10.43.0.0/16", 65534, 256, "10.43.0.1")]
    [InlineData("10.96.0.0/12", "10.96.0.0/12", 1048574, 256, "10.96.0.1")]
    [InlineData("192.168.5.0/24", "192.168.5.0/24", 254, 16, "192.168.5.1")]
    [InlineData("10.44.0.0/28", "10.44.0.0/28", 14, 0, "10.44.0.1")]
    [InlineData("10.0.0.0/30", "10.0.0.0/30", 2, 0, "10.0.0.1")]
    public void ServiceIPRange_Parse_NormalizesAndSizes(string input, string cidr, int size, int staticBand, string first)
    {
        var range = ServiceIPRange.Parse(input);
        Assert.Equal(cidr, range.Cidr);
        Assert.Equal(size, range.Size);
        Assert.Equal(staticBand, range.StaticBandSize);
        Assert.Equal(first, range.First.ToString());
    }

    [Theory]
    [InlineData("10.43.0.0")]
    [InlineData("10.43.0.0/8")]
    [InlineData("10.43.0.0/31")]
    [InlineData("fd00::/108")]
    [InlineData("banana/16")]
    [InlineData("10.43.0.0/-1")]
    public void ServiceIPRange_Parse_Invalid_Throws(string input) =>
        Assert.Throws<FormatException>(() => ServiceIPRange.Parse(input));

    [Theory]
    [InlineData("10.43.0.1", 0)]
    [InlineData("10.43.255.254", 65533)]
    [InlineData("10.43.0.0", -1)]
    [InlineData("10.43.255.255", -1)]
    [InlineData("10.44.0.1", -1)]
    [InlineData("::1", -1)]
    public void ServiceIPRange_OffsetOf_ExcludesNetworkAndBroadcast(string ip, int offset)
    {
        var range = ServiceIPRange.Parse("10.43.0.0/16");
        Assert.Equal(offset, range.OffsetOf(IPAddress.Parse(ip)));
        if (offset >= 0)
        {
            Assert.Equal(ip, range.At(offset).ToString());
        }
    }

    [Theory]
    [InlineData("30000-32767", 30000, 32767, 86)]
    [InlineData("30000+767", 30000, 30767, 24)]
    [InlineData(" 20000-20009 ", 20000, 20009, 0)]
    [InlineData("1-65535", 1, 65535, 128)]
    public void NodePortRange_Parse_AcceptsBothForms(string input, int first, int last, int staticBand)
    {
        var range = NodePortRange.Parse(input);
        Assert.Equal(first, range.First);
        Assert.Equal(last, range.Last);
        Assert.Equal(staticBand, range.StaticBandSize);
        Assert.Equal($"{first}-{last}", range.ToString());
    }

    [Theory]
    [InlineData("30000")]
    [InlineData("32767-30000")]
    [InlineData("0-100")]
    [InlineData("30000-70000")]
    [InlineData("a-b")]
    public void NodePortRange_Parse_Invalid_Throws(string input) =>
        Assert.Throws<FormatException>(() => NodePortRange.Parse(input));

    [Fact]
    public void Candidates_VisitTheUpperBandFirstThenTheStaticBand_EachOffsetOnce()
    {
        var offsets = ServiceAllocator.Candidates(100, 16).ToList();
        Assert.Equal(100, offsets.Distinct().Count());
        Assert.All(offsets.Take(84), o => Assert.InRange(o, 16, 99));
        Assert.All(offsets.Skip(84), o => Assert.InRange(o, 0, 15));
    }
}
