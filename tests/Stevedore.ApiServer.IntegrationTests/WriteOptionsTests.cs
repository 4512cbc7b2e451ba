using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Stevedore.ApiServer.IntegrationTests;

[Collection(ApiServerCollection.Name)]
public sealed class WriteOptionsTests(ApiServerFixture server)
{
    private const string DeploymentWithUnknownField =
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"fv"},"spec":{"bogus":1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""";

    [Fact]
    public async Task Create_FieldValidationStrict_RejectsUnknownField()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Strict", DeploymentWithUnknownField);
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("strict decoding error: unknown field \"spec.bogus\"", status["message"]!.ToString());
        var (getCode, _) = await server.SendAsync(HttpMethod.Get, $"/apis/apps/v1/namespaces/{ns}/deployments/fv");
        Assert.Equal(HttpStatusCode.NotFound, getCode);
    }

    [Fact]
    public async Task Create_FieldValidationWarn_CreatesWithWarningHeader()
    {
        var ns = await server.CreateNamespaceAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments?fieldValidation=Warn")
        {
            Content = new StringContent(DeploymentWithUnknownField, Encoding.UTF8, "application/json"),
        };
        using var response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("299 - \"unknown field \\\"spec.bogus\\\"\"", response.Headers.GetValues("Warning"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("bogus", body);
    }

    [Fact]
    public async Task Create_DryRunAll_ReturnsObjectWithoutStoringIt()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, created) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps?dryRun=All",
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry"}}""");
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("dry", created["metadata"]!["name"]!.ToString());
        var (getCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/dry");
        Assert.Equal(HttpStatusCode.NotFound, getCode);
    }

    [Fact]
    public async Task Create_InvalidDeployment_Returns422WithCauses()
    {
        var ns = await server.CreateNamespaceAsync();
        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"Bad_Name"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"c"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", status["reason"]!.ToString());
        Assert.StartsWith("Deployment.apps \"Bad_Name\" is invalid: [", status["message"]!.ToString());
        var fields = status["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.ToString()).ToList();
        Assert.Contains("metadata.name", fields);
        Assert.Contains("spec.template.metadata.labels", fields);
    }

    [Fact]
    public async Task Patch_ScaleSubresource_ChangesReplicas()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"sc"},"spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""");
        var (code, scale) = await server.SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{ns}/deployments/sc/scale",
            """{"spec":{"replicas":4}}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("Scale", scale["kind"]!.ToString());
        Assert.Equal(4, scale["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("a=b", scale["status"]!["selector"]!.ToString());
        var (_, deployment) = await server.SendAsync(HttpMethod.Get, $"/apis/apps/v1/namespaces/{ns}/deployments/sc");
        Assert.Equal(4, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, deployment["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task Update_MainResource_CannotChangeStatus_StatusSubresourceCan()
    {
        var ns = await server.CreateNamespaceAsync();
        var (_, created) = await server.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"st"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}},"status":{"replicas":9}}""");
        Assert.Null(created["status"]?["replicas"]);

        var (_, viaMain) = await server.SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{ns}/deployments/st", """{"status":{"replicas":5}}""", "application/merge-patch+json");
        Assert.Null(viaMain["status"]?["replicas"]);
        var (_, viaStatus) = await server.SendAsync(HttpMethod.Patch, $"/apis/apps/v1/namespaces/{ns}/deployments/st/status", """{"status":{"replicas":5}}""", "application/merge-patch+json");
        Assert.Equal(5, viaStatus["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, viaStatus["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task Metrics_ReportDatabaseSizeAndObjectCounts()
    {
        var response = await server.Client.GetStringAsync("/metrics");
        Assert.Matches(@"apiserver_storage_db_total_size_in_bytes [1-9][0-9]*", response);
        Assert.Matches(@"apiserver_storage_objects\{resource=""namespaces""\} [1-9][0-9]*", response);
    }
}
