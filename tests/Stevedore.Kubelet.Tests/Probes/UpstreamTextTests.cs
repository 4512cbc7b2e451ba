using k8s.Models;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.Tests.Probes;

public sealed class UpstreamTextTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(1000, "1s")]
    [InlineData(1500, "1.5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    public void Duration_Milliseconds_PrintedAsGo(int milliseconds, string expected)
    {
        Assert.Equal(expected, UpstreamText.Duration(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a \"b\"\n\tc\\", "\"a \\\"b\\\"\\n\\tc\\\\\"")]
    [InlineData("bell\u0007", "\"bell\\x07\"")]
    [InlineData("héllo", "\"héllo\"")]
    public void Quote_Text_EscapedAsGoQ(string value, string expected)
    {
        Assert.Equal(expected, UpstreamText.Quote(value));
    }

    [Fact]
    public void PodAndSlice_PrintedAsUpstream()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "prod", Uid = "1234" } };

        Assert.Equal("web_prod(1234)", UpstreamText.Pod(pod));
        Assert.Equal("[sh -c exit 1]", UpstreamText.Slice(["sh", "-c", "exit 1"]));
        Assert.Equal("kube-probe/1.33", UpstreamText.UserAgent("probe"));
    }
}
