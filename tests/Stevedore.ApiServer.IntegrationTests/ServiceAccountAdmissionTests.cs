using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.IntegrationTests;

[Collection(ServiceAccountServerCollection.Name)]
public sealed class ServiceAccountAdmissionTests(ServiceAccountServerFixture server)
{
    private const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    [Fact]
    public async Task PodCreate_WithoutAccount_GetsDefaultAccountAndTheKubeApiAccessVolume()
    {
        var ns = await server.CreateNamespaceAsync("default");

        var pod = await server.CreateAsync($"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i","image":"busybox"}],"containers":[{"name":"c","image":"busybox"}]}}""");

        var spec = pod["spec"]!;
        Assert.Equal("default", spec["serviceAccountName"]!.ToString());
        Assert.Equal("default", spec["serviceAccount"]!.ToString());
        var volume = Assert.Single(spec["volumes"]!.AsArray())!;
        var name = volume["name"]!.ToString();
        Assert.Matches("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$", name);
        Assert.Equal(3607, volume["projected"]!["sources"]![0]!["serviceAccountToken"]!["expirationSeconds"]!.GetValue<long>());
        foreach (var container in new[] { spec["initContainers"]![0]!, spec["containers"]![0]! })
        {
            var mount = Assert.Single(container["volumeMounts"]!.AsArray())!;
            Assert.Equal(name, mount["name"]!.ToString());
            Assert.Equal(MountPath, mount["mountPath"]!.ToString());
            Assert.True(mount["readOnly"]!.GetValue<bool>());
        }

        // What was stored is what was answered.
        var (_, stored) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/p");
        Assert.Equal(name, stored["spec"]!["volumes"]![0]!["name"]!.ToString());
    }

    [Fact]
    public async Task PodCreate_AccountOptsOutOfAutomount_GetsNoVolume()
    {
        var ns = await server.CreateNamespaceAsync();
        await server.CreateAsync($"/api/v1/namespaces/{ns}/serviceaccounts",
            """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"quiet"},"automountServiceAccountToken":false,"imagePullSecrets":[{"name":"pull"}]}""");

        var pod = await server.CreateAsync($"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"serviceAccountName":"quiet","containers":[{"name":"c","image":"busybox"}]}}""");

        Assert.Null(pod["spec"]!["volumes"]);
        Assert.Null(pod["spec"]!["containers"]![0]!["volumeMounts"]);
        Assert.Equal("pull", pod["spec"]!["imagePullSecrets"]![0]!["name"]!.ToString());
    }

    [Fact]
    public async Task PodCreate_AccountMissing_Is403AndNothingIsStored()
    {
        var ns = await server.CreateNamespaceAsync();

        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"serviceAccountName":"ghost","containers":[{"name":"c","image":"busybox"}]}}""");

        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal($"pods \"p\" is forbidden: error looking up service account {ns}/ghost: serviceaccount \"ghost\" not found", status["message"]!.ToString());
        var (getCode, _) = await server.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods/p");
        Assert.Equal(HttpStatusCode.NotFound, getCode);
    }

    [Fact]
    public async Task PodCreate_DefaultAccountCreatedWhileWaiting_IsAdmitted()
    {
        var ns = await server.CreateNamespaceAsync();
        var create = server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""");
        // The admission looks for "default" for a second or two, as its controller creates it right after the namespace.
        await Task.Delay(300);
        await server.CreateAsync($"/api/v1/namespaces/{ns}/serviceaccounts", """{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}}""");

        var (code, pod) = await create;
        Assert.True(code == HttpStatusCode.Created, pod.ToJsonString());
        Assert.Equal("default", pod["spec"]!["serviceAccountName"]!.ToString());
    }

    [Fact]
    public async Task MirrorPod_IsLeftAloneButMayNotNameAnAccount()
    {
        var ns = await server.CreateNamespaceAsync();
        var mirror = await server.CreateAsync($"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"m","annotations":{"kubernetes.io/config.mirror":"abc"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""");
        Assert.Null(mirror["spec"]!["volumes"]);
        Assert.Null(mirror["spec"]!["serviceAccountName"]);

        var (code, status) = await server.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/pods",
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"m2","annotations":{"kubernetes.io/config.mirror":"abc"}},"spec":{"serviceAccountName":"x","containers":[{"name":"c","image":"busybox"}]}}""");
        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("pods \"m2\" is forbidden: a mirror pod may not reference service accounts", status["message"]!.ToString());
    }
}
