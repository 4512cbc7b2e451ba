using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class VolumePathRulesTests
{
    [Theory]
    [InlineData("config.yaml", null)]
    [InlineData("dir/sub/file", null)]
    [InlineData("a..b", null)]
    [InlineData(".hidden", null)]
    [InlineData("", "invalid path: must not be empty")]
    [InlineData("/etc/passwd", "invalid path: must be relative path: /etc/passwd")]
    [InlineData("../up", "invalid path: must not start with '..': ../up")]
    [InlineData("..data", "invalid path: must not start with '..': ..data")]
    [InlineData("a/../../b", "invalid path: must not contain '..': a/../../b")]
    [InlineData("a/..", "invalid path: must not contain '..': a/..")]
    public void FilePathError_RefusesAbsoluteBackstepsAndWriterNames(string path, string? expected)
    {
        Assert.Equal(expected, VolumePathRules.FilePathError(path));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("logs", null)]
    [InlineData("a/b/c", null)]
    [InlineData("..data/file", null)]
    [InlineData("/abs", "must be a relative path")]
    [InlineData("..", "must not contain '..'")]
    [InlineData("a/../b", "must not contain '..'")]
    public void SubPathError_RefusesAbsoluteAndBacksteps(string subPath, string? expected)
    {
        Assert.Equal(expected, VolumePathRules.SubPathError(subPath));
    }

    [Theory]
    [InlineData("/v/root", "/v/root", true)]
    [InlineData("/v/root", "/v/root/a", true)]
    [InlineData("/v/root/", "/v/root/a/b", true)]
    [InlineData("/v/root", "/v/rootkit", false)]
    [InlineData("/v/root", "/v", false)]
    [InlineData("/v/root", "/", false)]
    [InlineData("/v/root", "/etc", false)]
    public void IsWithin_ComparesWholeElements(string root, string candidate, bool expected)
    {
        Assert.Equal(expected, VolumePathRules.IsWithin(root, candidate));
    }

    [Theory]
    [InlineData("/v/a", "b", "/v/a/b")]
    [InlineData("/v/a", "../b", "/v/b")]
    [InlineData("/v/a", "../../../../etc", "/etc")]
    [InlineData("/v/a", "/etc/./x/../passwd", "/etc/passwd")]
    public void ResolveLinkTarget_NormalisesAgainstTheLinksDirectory(string directory, string target, string expected)
    {
        Assert.Equal(expected, VolumePathRules.ResolveLinkTarget(directory, target));
    }

    [Fact]
    public void Elements_DropsEmptyAndDotElements()
    {
        Assert.Equal(["a", "b", "c"], VolumePathRules.Elements("a//b/./c/"));
    }
}
