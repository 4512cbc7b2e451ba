using k8s.Models;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.Tests.Probes;

/// <summary>Where an httpGet action goes: scheme, host (default the pod IP), port by number or name, path and query.</summary>
public sealed class HttpGetTargetTests
{
    private static readonly V1Container Container = new()
    {
        Name = "app",
        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }, new V1ContainerPort { Name = "admin", ContainerPort = 9000 }],
    };

    [Theory]
    [InlineData(null, null, "80", "/healthz", "10.1.0.5", "http://10.1.0.5:80/healthz")]
    [InlineData("HTTPS", null, "443", "/", "10.1.0.5", "https://10.1.0.5:443/")]
    [InlineData("HTTP", "127.0.0.1", "http", "ready", "10.1.0.5", "http://127.0.0.1:8080/ready")]
    [InlineData(null, null, "admin", "/status?verbose=1", "10.1.0.5", "http://10.1.0.5:9000/status?verbose=1")]
    [InlineData(null, null, "8081", null, "fd00::5", "http://[fd00::5]:8081/")]
    public void TargetOf_Action_Url(string? scheme, string? host, string port, string? path, string podIp, string expected)
    {
        var action = new V1HTTPGetAction { Scheme = scheme, Host = host, Port = port, Path = path };

        var target = HttpGetClient.TargetOf(action, Container, podIp, out var error);

        Assert.Equal("", error);
        Assert.Equal(expected, target!.OriginalString);
    }

    [Theory]
    [InlineData("HTTP", "grpc", "10.1.0.5", "strconv.Atoi: parsing \"grpc\": invalid syntax")]
    [InlineData("HTTP", "0", "10.1.0.5", "invalid port number: 0")]
    [InlineData("HTTP", "70000", "10.1.0.5", "invalid port number: 70000")]
    [InlineData("FTP", "21", "10.1.0.5", "unsupported protocol scheme \"ftp\"")]
    [InlineData("HTTP", "80", null, "the pod has no IP address yet")]
    public void TargetOf_BadAction_UpstreamError(string scheme, string port, string? podIp, string expected)
    {
        var action = new V1HTTPGetAction { Scheme = scheme, Port = port, Path = "/" };

        var target = HttpGetClient.TargetOf(action, Container, podIp, out var error);

        Assert.Null(target);
        Assert.Equal(expected, error);
    }
}
