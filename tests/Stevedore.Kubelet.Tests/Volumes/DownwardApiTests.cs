using k8s.Models;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class DownwardApiTests
{
    private static readonly IReadOnlyDictionary<string, ResourceQuantity> Allocatable = new Dictionary<string, ResourceQuantity>
    {
        ["cpu"] = new("4"),
        ["memory"] = new("8Gi"),
    };

    private static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "web-0",
            NamespaceProperty = "shop",
            Uid = "1234",
            Labels = new Dictionary<string, string> { ["tier"] = "front", ["app"] = "web" },
            Annotations = new Dictionary<string, string> { ["note"] = "say \"hi\"\nbye" },
        },
        Spec = new V1PodSpec { NodeName = "node-a", ServiceAccountName = "builder", Containers = [] },
        Status = new V1PodStatus
        {
            PodIP = "10.42.0.7",
            PodIPs = [new V1PodIP { Ip = "10.42.0.7" }, new V1PodIP { Ip = "fd00::7" }],
            HostIP = "192.168.1.2",
        },
    };

    [Theory]
    [InlineData("metadata.name", "web-0")]
    [InlineData("metadata.namespace", "shop")]
    [InlineData("metadata.uid", "1234")]
    [InlineData("metadata.labels['app']", "web")]
    [InlineData("metadata.labels['missing']", "")]
    [InlineData("metadata.annotations['note']", "say \"hi\"\nbye")]
    [InlineData("metadata.labels", "app=\"web\"\ntier=\"front\"")]
    [InlineData("metadata.annotations", "note=\"say \\\"hi\\\"\\nbye\"")]
    [InlineData("spec.nodeName", "node-a")]
    [InlineData("spec.serviceAccountName", "builder")]
    [InlineData("status.podIP", "10.42.0.7")]
    [InlineData("status.podIPs", "10.42.0.7,fd00::7")]
    [InlineData("status.hostIP", "192.168.1.2")]
    public void FieldValue_SupportedPaths(string path, string expected)
    {
        Assert.Equal(expected, DownwardApi.FieldValue(Pod(), path));
    }

    [Theory]
    [InlineData("spec.containers")]
    [InlineData("metadata.generateName")]
    public void FieldValue_UnsupportedPath_Throws(string path)
    {
        var error = Assert.Throws<ArgumentException>(() => DownwardApi.FieldValue(Pod(), path));
        Assert.StartsWith($"unsupported fieldPath: {path}", error.Message, StringComparison.Ordinal);
    }

    private static V1Container Container(string? cpuLimit = null, string? memoryLimit = null, string? cpuRequest = null) => new()
    {
        Name = "c",
        Resources = new V1ResourceRequirements
        {
            Limits = Quantities(("cpu", cpuLimit), ("memory", memoryLimit)),
            Requests = Quantities(("cpu", cpuRequest)),
        },
    };

    private static Dictionary<string, ResourceQuantity> Quantities(params (string Name, string? Value)[] entries) =>
        entries.Where(e => e.Value is not null).ToDictionary(e => e.Name, e => new ResourceQuantity(e.Value!));

    [Theory]
    [InlineData("limits.cpu", null, "250m", "1")]
    [InlineData("limits.cpu", "1m", "250m", "250")]
    [InlineData("limits.cpu", "100m", "250m", "3")]
    [InlineData("limits.cpu", "1", "2", "2")]
    [InlineData("limits.memory", null, "64Mi", "67108864")]
    [InlineData("limits.memory", "0", "64Mi", "67108864")]
    [InlineData("limits.cpu", "0", "250m", "1")]
    [InlineData("limits.memory", "1Mi", "64Mi", "64")]
    [InlineData("limits.memory", "1Gi", "64Mi", "1")]
    [InlineData("limits.memory", "1k", "1001", "2")]
    public void ResourceValue_DividesAndRoundsUp(string resource, string? divisor, string limit, string expected)
    {
        var container = resource == "limits.cpu" ? Container(cpuLimit: limit) : Container(memoryLimit: limit);
        var selector = new V1ResourceFieldSelector { Resource = resource, Divisor = divisor is null ? null : new ResourceQuantity(divisor) };

        Assert.Equal(expected, DownwardApi.ResourceValue(selector, container, Allocatable));
    }

    [Theory]
    [InlineData("limits.cpu", "1m", "4000")]
    [InlineData("limits.memory", "1Mi", "8192")]
    [InlineData("requests.cpu", "1m", "0")]
    public void ResourceValue_UnsetLimit_IsTheNodesAllocatable_UnsetRequestIsZero(string resource, string divisor, string expected)
    {
        var selector = new V1ResourceFieldSelector { Resource = resource, Divisor = new ResourceQuantity(divisor) };
        Assert.Equal(expected, DownwardApi.ResourceValue(selector, Container(), Allocatable));
    }

    [Fact]
    public void ResourceValue_Request_IsTheContainers()
    {
        var selector = new V1ResourceFieldSelector { Resource = "requests.cpu", Divisor = new ResourceQuantity("1m") };
        Assert.Equal("100", DownwardApi.ResourceValue(selector, Container(cpuRequest: "100m"), Allocatable));
    }

    [Theory]
    [InlineData("limits.gpu")]
    [InlineData("status.cpu")]
    [InlineData("cpu")]
    public void ResourceValue_UnknownResource_Throws(string resource)
    {
        Assert.Throws<ArgumentException>(() => DownwardApi.ResourceValue(new V1ResourceFieldSelector { Resource = resource }, Container(), Allocatable));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("tab\tnew\nret\r", "\"tab\\tnew\\nret\\r\"")]
    [InlineData("bell\a", "\"bell\\a\"")]
    [InlineData("nul\0", "\"nul\\x00\"")]
    [InlineData("del\u007f", "\"del\\x7f\"")]
    [InlineData("héllo ✓", "\"héllo ✓\"")]
    [InlineData("zero\u200bwidth", "\"zero\\u200bwidth\"")]
    [InlineData("nbsp\u00a0", "\"nbsp\\u00a0\"")]
    public void GoQuote_EscapesAsGo(string value, string expected)
    {
        Assert.Equal(expected, DownwardApi.GoQuote(value));
    }

    [Fact]
    public void FormatMap_SortsKeysAndHasNoTrailingNewline()
    {
        var map = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["B"] = "3" };
        Assert.Equal("B=\"3\"\na=\"1\"\nb=\"2\"", DownwardApi.FormatMap(map));
        Assert.Equal("", DownwardApi.FormatMap(null));
    }
}
