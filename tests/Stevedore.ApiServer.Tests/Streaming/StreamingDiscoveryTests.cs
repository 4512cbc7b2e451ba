using System.Text.Json.Nodes;
using Stevedore.ApiServer.Discovery;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Tests.Streaming;

public sealed class StreamingDiscoveryTests
{
    [Theory]
    [InlineData("pods/log", "Pod", "get")]
    [InlineData("pods/exec", "PodExecOptions", "create,get")]
    [InlineData("pods/attach", "PodAttachOptions", "create,get")]
    [InlineData("pods/portforward", "PodPortForwardOptions", "create,get")]
    public void CoreV1ResourceList_ListsThePodStreamingSubresourcesAsUpstream(string name, string kind, string verbs)
    {
        var list = JsonNode.Parse(new DiscoveryDocuments(ResourceCatalog.CreateBuiltIn()).ResourceList("", "v1")!)!;

        var entry = (list["resources"] as JsonArray)!.OfType<JsonObject>().Single(r => r["name"]!.ToString() == name);

        Assert.Equal(kind, entry["kind"]!.ToString());
        Assert.True(entry["namespaced"]!.GetValue<bool>());
        Assert.Equal(verbs, string.Join(',', (entry["verbs"] as JsonArray)!.Select(v => v!.ToString())));
    }
}
