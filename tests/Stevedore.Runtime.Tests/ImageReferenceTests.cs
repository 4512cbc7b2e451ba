using Stevedore.Runtime.Images;

namespace Stevedore.Runtime.Tests;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox:latest")]
    [InlineData("index.docker.io/library/busybox:1", "docker.io/library/busybox:1")]
    [InlineData("bitnami/nginx", "docker.io/bitnami/nginx:latest")]
    [InlineData("localhost/app", "localhost/app:latest")]
    [InlineData("127.0.0.1:5000/team/app:v2", "127.0.0.1:5000/team/app:v2")]
    [InlineData("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9")]
    [InlineData("busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker.io/library/busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Parse_ValidReference_AppliesDockerDefaults(string input, string expected)
    {
        Assert.Equal(expected, ImageReference.Parse(input).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("BusyBox")]
    [InlineData("busybox:")]
    [InlineData("busybox@sha256:short")]
    [InlineData("busybox@md5:0123456789abcdef0123456789abcdef")]
    [InlineData("a//b")]
    [InlineData("-lead")]
    [InlineData("busybox:-tag")]
    public void Parse_InvalidReference_ThrowsInvalidArgument(string input)
    {
        var ex = Assert.Throws<EngineException>(() => ImageReference.Parse(input));
        Assert.Equal(EngineErrorKind.InvalidArgument, ex.Kind);
    }

    [Theory]
    [InlineData("busybox", "registry-1.docker.io", "library/busybox", "latest")]
    [InlineData("127.0.0.1:5000/x/y:z", "127.0.0.1:5000", "x/y", "z")]
    public void Parse_Reference_ExposesRegistryHostRepositoryAndReference(string input, string host, string repository, string reference)
    {
        var parsed = ImageReference.Parse(input);
        Assert.Equal(host, parsed.RegistryHost);
        Assert.Equal(repository, parsed.Repository);
        Assert.Equal(reference, parsed.Reference);
    }
}
