using Stevedore.Kubelet.Logs;

namespace Stevedore.Kubelet.Tests.Logs;

public sealed class ContainerLogPolicyTests
{
    [Theory]
    [InlineData("10Mi", 5, 10L * 1024 * 1024)]
    [InlineData("16Ki", 2, 16L * 1024)]
    [InlineData("1048576", 3, 1048576L)]
    [InlineData("500k", 5, 500_000L)]
    [InlineData("1G", 5, 1_000_000_000L)]
    public void TryParse_ValidFlags_GivesBytesAndFiles(string size, int files, long bytes)
    {
        var policy = ContainerLogPolicy.TryParse(size, files, out var problem);

        Assert.Null(problem);
        Assert.Equal(bytes, policy!.MaxSize);
        Assert.Equal(files, policy.MaxFiles);
    }

    [Theory]
    [InlineData("10Q", 5, "--container-log-max-size 10Q: expected a quantity")]
    [InlineData("", 5, "--container-log-max-size : expected a quantity")]
    [InlineData("ten", 5, "--container-log-max-size ten: expected a quantity")]
    [InlineData("0", 5, "--container-log-max-size 0: must be more than 0")]
    [InlineData("-1Mi", 5, "--container-log-max-size -1Mi: must be more than 0")]
    [InlineData("10Mi", 1, "--container-log-max-files 1: must be at least 2")]
    [InlineData("10Mi", -3, "--container-log-max-files -3: must be at least 2")]
    public void TryParse_BadFlags_OneReadableProblem(string size, int files, string expected)
    {
        var policy = ContainerLogPolicy.TryParse(size, files, out var problem);

        Assert.Null(policy);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem!);
    }

    [Fact]
    public void Defaults_AreUpstreams()
    {
        var policy = new ContainerLogPolicy();
        Assert.Equal(10L * 1024 * 1024, policy.MaxSize);
        Assert.Equal(5, policy.MaxFiles);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.MonitorInterval);
    }
}
