using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>The built-in admission steps and object-meta normalisation, seen through the HTTP API.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class AdmissionTests(ApiServerFixture server)
{
    private const string Pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""";

    [Fact]
    public async Task CreatePod_WithoutTolerations_GetsDefaultNotReadyAndUnreachableTolerations()
    {
        var ns = await server.CreateNamespaceAsync();

        var (code, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", Pod);

        Assert.Equal(HttpStatusCode.Created, code);
        var tolerations = created["spec"]!["tolerations"]!.AsArray();
        Assert.Equal(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"], tolerations.Select(t => t!["key"]!.ToString()));
        Assert.All(tolerations, t => Assert.Equal(("Exists", "NoExecute", 300), (t!["operator"]!.ToString(), t["effect"]!.ToString(), t["tolerationSeconds"]!.GetValue<int>())));
    }

    [Fact]
    public async Task CreatePod_TolerantOfEverything_KeepsItsOwnTolerationsOnly()
    {
        var ns = await server.CreateNamespaceAsync();
        var pod = Pod.Replace("\"spec\":{", "\"spec\":{\"tolerations\":[{\"operator\":\"Exists\"}],", StringComparison.Ordinal);

        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods", pod);

        Assert.Equal("""[{"operator":"Exists"}]""", created["spec"]!["tolerations"]!.ToJsonString());
    }

    [Fact]
    public async Task Create_InTerminatingNamespace_Returns403WithUpstreamMessage()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}""");
        await server.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}");

        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"late"}}""");
        var (generatedCode, generated) = await server.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"generateName":"web-"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""");

        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal($"configmaps \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", status["message"]!.ToString());
        Assert.Equal("""{"name":"late","kind":"configmaps","causes":[{"reason":"NamespaceTerminating","message":"namespace NS is being terminated","field":"metadata.namespace"}]}""".Replace("NS", ns, StringComparison.Ordinal),
            status["details"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.Forbidden, generatedCode);
        Assert.StartsWith("deployments.apps \"web-\" is forbidden: unable to create new content", generated["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StrategicMergePatch_DeletingLastOwnerReference_LeavesNoOwnerReferencesField()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"child","labels":{"a":"b"},"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"u-1"}]}}""");

        // What the garbage collector sends to orphan a dependent.
        var (code, patched) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/child",
            """{"metadata":{"ownerReferences":[{"$patch":"delete","uid":"u-1"}]}}""", "application/strategic-merge-patch+json");
        var (_, unlabeled) = await server.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/child",
            """{"metadata":{"labels":{"a":null}}}""", "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.OK, code);
        Assert.False(patched["metadata"]!.AsObject().ContainsKey("ownerReferences"), patched.ToJsonString());
        Assert.False(unlabeled["metadata"]!.AsObject().ContainsKey("labels"), unlabeled.ToJsonString());
    }
}
