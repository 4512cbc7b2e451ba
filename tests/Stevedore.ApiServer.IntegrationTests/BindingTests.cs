using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

[Collection(ApiServerCollection.Name)]
public sealed class BindingTests(ApiServerFixture server)
{
    private const string PodJson = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"NAME","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""";

    private static string Binding(string name, string node, string extraMetadata = "") =>
        $$$"""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"{{{name}}}"{{{extraMetadata}}}},"target":{"apiVersion":"v1","kind":"Node","name":"{{{node}}}"}}""";

    private async Task<(string Ns, JsonObject Created)> CreatePodAsync(string name)
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods?fieldManager=creator", PodJson.Replace("NAME", name, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Created, code);
        return (ns, created);
    }

    [Fact]
    public async Task Bind_PendingPod_SetsNodeAndScheduledKeepsManagedFieldsAndGeneration()
    {
        var (ns, created) = await CreatePodAsync("p");

        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/p/binding?fieldManager=scheduler",
            Binding("p", "node-1", ""","annotations":{"scheduled-by":"test"}"""));
        var (_, bound) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/p");

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("Success", (string?)status["status"]);
        Assert.Equal("node-1", (string?)bound["spec"]!["nodeName"]);
        Assert.Equal("test", (string?)bound["metadata"]!["annotations"]!["scheduled-by"]);
        var scheduled = bound["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "PodScheduled")!;
        Assert.Equal("True", (string?)scheduled["status"]);
        Assert.NotNull(scheduled["lastTransitionTime"]);
        // As upstream, the binding is no field manager's write: the creator's entry is the only one, unchanged.
        Assert.True(JsonNode.DeepEquals(created["metadata"]!["managedFields"], bound["metadata"]!["managedFields"]), bound["metadata"]!.ToJsonString());
        Assert.Equal(created["metadata"]!["generation"]!.GetValue<long>(), bound["metadata"]!["generation"]!.GetValue<long>());
        Assert.NotEqual((string?)created["metadata"]!["resourceVersion"], (string?)bound["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Bind_DryRun_LeavesPodUnbound()
    {
        var (ns, created) = await CreatePodAsync("dry");

        var (code, _) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/dry/binding?dryRun=All", Binding("dry", "node-1"));
        var (_, after) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/dry");

        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Null(after["spec"]!["nodeName"]);
        Assert.Equal((string?)created["metadata"]!["resourceVersion"], (string?)after["metadata"]!["resourceVersion"]);
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"other"},"target":{"name":"node-1"}}""", HttpStatusCode.BadRequest, "name in URL does not match name in Binding object")]
    [InlineData("""{"apiVersion":"v1","kind":"Binding","target":{"name":"node-1"}}""", HttpStatusCode.BadRequest, "name in URL does not match name in Binding object")]
    [InlineData("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bad"},"target":{"kind":"Pod","name":"node-1"}}""", HttpStatusCode.UnprocessableEntity, "target.kind: Unsupported value: \"Pod\"")]
    [InlineData("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"bad"},"target":{"kind":"Node"}}""", HttpStatusCode.UnprocessableEntity, "target.name: Required value")]
    public async Task Bind_BadBinding_RefusedPodUnbound(string binding, HttpStatusCode expected, string message)
    {
        var (ns, _) = await CreatePodAsync("bad");

        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/bad/binding", binding);
        var (_, after) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/bad");

        Assert.Equal(expected, code);
        Assert.Contains(message, (string?)status["message"]);
        Assert.Null(after["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task Bind_MissingPod_NotFound()
    {
        var ns = await server.CreateNamespaceAsync();

        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods/missing/binding", Binding("missing", "node-1"));

        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("pods \"missing\" not found", (string?)status["message"]);
    }
}
