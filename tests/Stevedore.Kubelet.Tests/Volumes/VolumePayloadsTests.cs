using System.Text;
using k8s.Models;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class VolumePayloadsTests
{
    private static readonly IReadOnlyDictionary<string, byte[]> Data = new Dictionary<string, byte[]>
    {
        ["app.properties"] = Encoding.UTF8.GetBytes("a=1"),
        ["extra"] = Encoding.UTF8.GetBytes("x"),
    };

    [Fact]
    public void Keyed_NoItems_EveryKeyWithTheDefaultMode()
    {
        var payload = VolumePayloads.Keyed(Data, null, 420, optional: false, secret: false);

        Assert.Equal(["app.properties", "extra"], payload.Keys.Order());
        Assert.All(payload.Values, f => Assert.Equal(420, f.Mode));
    }

    [Fact]
    public void Keyed_Items_OnlyThoseAtTheirPathsWithTheirModes()
    {
        var items = new List<V1KeyToPath> { new() { Key = "app.properties", Path = "conf/app", Mode = 256 }, new() { Key = "extra", Path = "./x//y" } };

        var payload = VolumePayloads.Keyed(Data, items, 420, optional: false, secret: false);

        Assert.Equal(["conf/app", "x/y"], payload.Keys.Order());
        Assert.Equal(256, payload["conf/app"].Mode);
        Assert.Equal(420, payload["x/y"].Mode);
        Assert.Equal("a=1", Encoding.UTF8.GetString(payload["conf/app"].Data));
    }

    [Theory]
    [InlineData(false, "configmap references non-existent config key: nope")]
    [InlineData(true, "references non-existent secret key: nope")]
    public void Keyed_MissingItemKey_FailsWithUpstreamMessage(bool secret, string message)
    {
        var error = Assert.Throws<VolumeSourceException>(() => VolumePayloads.Keyed(Data, [new V1KeyToPath { Key = "nope", Path = "n" }], 420, optional: false, secret));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Keyed_MissingItemKeyOfOptionalSource_IsSkipped()
    {
        var payload = VolumePayloads.Keyed(Data, [new V1KeyToPath { Key = "nope", Path = "n" }, new V1KeyToPath { Key = "extra", Path = "e" }], 420, optional: true, secret: false);
        Assert.Equal(["e"], payload.Keys);
    }

    [Fact]
    public void Keyed_ItemPathEscaping_Fails()
    {
        Assert.Throws<VolumeSourceException>(() => VolumePayloads.Keyed(Data, [new V1KeyToPath { Key = "extra", Path = "../../etc/cron.d/x" }], 420, optional: false, secret: false));
    }

    [Fact]
    public void ConfigMapData_MergesBinaryData()
    {
        var data = VolumePayloads.ConfigMapData(new V1ConfigMap
        {
            Data = new Dictionary<string, string> { ["t"] = "text" },
            BinaryData = new Dictionary<string, byte[]> { ["b"] = [0, 1, 2] },
        });

        Assert.Equal("text", Encoding.UTF8.GetString(data["t"]));
        Assert.Equal([0, 1, 2], data["b"]);
    }

    [Fact]
    public void DownwardApi_FieldAndResourceFiles()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "c", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("32Mi") } } }],
            },
        };
        var items = new List<V1DownwardAPIVolumeFile>
        {
            new() { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } },
            new() { Path = "name", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" }, Mode = 256 },
            new() { Path = "mem", ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "c", Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } },
        };

        var payload = VolumePayloads.DownwardApi(pod, items, 420, new Dictionary<string, ResourceQuantity>());

        Assert.Equal("a=\"1\"\nb=\"2\"", Encoding.UTF8.GetString(payload["labels"].Data));
        Assert.Equal("p", Encoding.UTF8.GetString(payload["name"].Data));
        Assert.Equal(256, payload["name"].Mode);
        Assert.Equal("32", Encoding.UTF8.GetString(payload["mem"].Data));
    }

    [Fact]
    public void DownwardApi_ResourceOfUnknownContainer_Fails()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [] } };
        var items = new List<V1DownwardAPIVolumeFile> { new() { Path = "x", ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "ghost", Resource = "limits.cpu" } } };

        var error = Assert.Throws<VolumeSourceException>(() => VolumePayloads.DownwardApi(pod, items, 420, new Dictionary<string, ResourceQuantity>()));
        Assert.Equal("container ghost not found", error.Message);
    }

    [Fact]
    public void WithGroupAccess_AddsGroupReadOnlyWithAnFsGroup()
    {
        var payload = new Dictionary<string, FileProjection> { ["s"] = new([1], 256) };

        Assert.Equal(256, VolumePayloads.WithGroupAccess(payload, null)["s"].Mode);
        Assert.Equal(288, VolumePayloads.WithGroupAccess(payload, 2000)["s"].Mode);
    }
}
