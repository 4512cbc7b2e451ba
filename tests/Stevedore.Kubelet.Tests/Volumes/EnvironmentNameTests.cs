using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class EnvironmentNameTests
{
    [Theory]
    [InlineData("PATH", true)]
    [InlineData("my.var-1", true)]
    [InlineData("_x", true)]
    [InlineData("-dash", true)]
    [InlineData("1ABC", false)]
    [InlineData("with space", false)]
    [InlineData("a=b", false)]
    [InlineData("", false)]
    [InlineData("ünïcode", false)]
    public void IsValidName_UpstreamRule(string name, bool expected)
    {
        Assert.Equal(expected, EnvironmentResolver.IsValidName(name));
    }
}
