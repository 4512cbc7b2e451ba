using k8s.Models;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Tests.Patch;

public class PatchStrategyTableTests
{
    [Theory]
    [InlineData(typeof(V1PodSpec), "containers", "merge", "name", ListType.Map, "name")]
    [InlineData(typeof(V1PodSpec), "volumes", "merge,retainKeys", "name", ListType.Map, "name")]
    [InlineData(typeof(V1Container), "ports", "merge", "containerPort", ListType.Map, "containerPort,protocol")]
    [InlineData(typeof(V1Container), "volumeMounts", "merge", "mountPath", ListType.Map, "mountPath")]
    [InlineData(typeof(V1ServiceSpec), "ports", "merge", "port", ListType.Map, "port,protocol")]
    [InlineData(typeof(V1ObjectMeta), "finalizers", "merge", null, ListType.Set, "")]
    [InlineData(typeof(V1ObjectMeta), "ownerReferences", "merge", "uid", ListType.Map, "uid")]
    [InlineData(typeof(V1DeploymentSpec), "strategy", "retainKeys", null, null, "")]
    [InlineData(typeof(V1PodStatus), "conditions", "merge", "type", ListType.Map, "type")]
    [InlineData(typeof(V1JobStatus), "conditions", "merge", "type", ListType.Atomic, "")]
    public void Find_TaggedField_ReturnsUpstreamMetadata(Type type, string field, string? strategy, string? mergeKey, ListType? listType, string mapKeys)
    {
        var info = PatchStrategyTable.Find(type, field);

        Assert.NotNull(info);
        Assert.Equal(strategy, info.PatchStrategy);
        Assert.Equal(mergeKey, info.PatchMergeKey);
        Assert.Equal(listType, info.ListType);
        Assert.Equal(mapKeys, string.Join(',', info.ListMapKeys));
    }

    [Theory]
    [InlineData(typeof(V1PodSpec), "tolerations")]
    [InlineData(typeof(V1Container), "args")]
    [InlineData(typeof(V1PodSpec), "noSuchField")]
    public void Find_UntaggedField_ReturnsNull(Type type, string field) => Assert.Null(PatchStrategyTable.Find(type, field));

    [Fact]
    public void All_EveryEntry_NamesAListOrObjectPropertyOfItsModel()
    {
        foreach (var ((type, field), _) in PatchStrategyTable.All)
        {
            var propertyType = ModelSchema.PropertyType(type, field);
            Assert.True(propertyType is not null, $"{type.Name} has no JSON property \"{field}\"");
        }
    }
}
