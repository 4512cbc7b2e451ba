using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.Tests;

public sealed class TarPathTests
{
    [Theory]
    [InlineData("bin/sh", "bin/sh")]
    [InlineData("./bin/sh", "bin/sh")]
    [InlineData("/etc/passwd", "etc/passwd")]
    [InlineData("//usr//lib/./x", "usr/lib/x")]
    [InlineData("dir/", "dir")]
    public void Components_SafeName_NormalizedUnderRoot(string name, string expected)
    {
        Assert.Equal(expected, string.Join('/', TarPath.Components(name)!));
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("/..")]
    [InlineData("a/b/..")]
    public void Components_DotDot_Refused(string name)
    {
        var ex = Assert.Throws<EngineException>(() => TarPath.Components(name));
        Assert.Equal(EngineErrorKind.InvalidArgument, ex.Kind);
    }

    [Theory]
    [InlineData("./")]
    [InlineData("/")]
    [InlineData(".")]
    public void Components_Root_ReturnsNull(string name)
    {
        Assert.Null(TarPath.Components(name));
    }
}
