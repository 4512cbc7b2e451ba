using System.Text;
using Stevedore.Runtime.Content;

namespace Stevedore.Runtime.Tests;

public sealed class DigestTests
{
    [Fact]
    public void Of_KnownBytes_MatchesSha256()
    {
        // sha256("abc") from FIPS 180-2.
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Digest.Of(Encoding.ASCII.GetBytes("abc")).ToString());
    }

    [Theory]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", true)]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", false)]
    [InlineData("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false)]
    [InlineData("sha256:ba7816bf", false)]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false)]
    [InlineData("sha256:../../../../etc/passwd/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void TryParse_Input_AcceptsOnlyLowercaseSha256(string input, bool valid)
    {
        Assert.Equal(valid, Digest.TryParse(input, out _));
    }
}
