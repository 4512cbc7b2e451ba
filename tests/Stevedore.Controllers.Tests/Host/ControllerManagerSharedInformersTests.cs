using System.Net;
using k8s;
using k8s.Models;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Client.Connecting;
using Stevedore.Client.Informers;
using Stevedore.Controllers.Host;
using Stevedore.Storage;

namespace Stevedore.Controllers.Tests.Host;

/// <summary>
/// The controllers on informers shared with another component of the process (as in
/// <c>stevedore server</c>, where the scheduler uses the same ones), over two leadership terms:
/// a real API server over SQLite with no controllers of its own.
/// </summary>
public sealed class ControllerManagerSharedInformersTests : IAsyncLifetime
{
    private const string Token = "cm-shared-informers-token";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-cm-shared-" + Guid.NewGuid().ToString("N"));
    private IStore? _store;
    private ApiServerHost? _host;
    private IKubernetes _client = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _store = StoreFactory.Open("sqlite", _dataDir);
        _host = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken(Token, new UserInfo("tester", null, ["system:masters"]))])]),
        }, CancellationToken.None);
        _client = ClusterConnection.FromToken(_host.Address, Token);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task RunControllersAsync_SharedInformersOverTwoTerms_SecondTermKeepsReconciling()
    {
        await using var informers = new SharedInformerFactory(_client);
        var labels = new Dictionary<string, string> { ["app"] = "shared" };
        var manager = new ControllerManager(_client, informers: informers);

        using (var term = new CancellationTokenSource())
        {
            var running = Task.Run(() => manager.RunControllersAsync(term.Token));
            await _client.AppsV1.CreateNamespacedReplicaSetAsync(
                new V1ReplicaSet
                {
                    Metadata = new V1ObjectMeta { Name = "rs" },
                    Spec = new V1ReplicaSetSpec
                    {
                        Replicas = 2,
                        Selector = new V1LabelSelector { MatchLabels = labels },
                        Template = new V1PodTemplateSpec
                        {
                            Metadata = new V1ObjectMeta { Labels = labels },
                            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
                        },
                    },
                },
                "default");
            await LiveClusterFixture.EventuallyAsync(
                async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync("rs", "default")) is { Status.Replicas: 2 } rs ? rs : null,
                "the first term to create 2 pods and count them");
            await term.CancelAsync();
            await running;
        }

        // A new term on the same (still running) informers: it starts from their caches and acts on new changes.
        await _client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "rs", "default");
        using (var term = new CancellationTokenSource())
        {
            var running = Task.Run(() => manager.RunControllersAsync(term.Token));
            var scaled = await LiveClusterFixture.EventuallyAsync(
                async () => (await _client.AppsV1.ReadNamespacedReplicaSetAsync("rs", "default")) is { Status.Replicas: 3 } rs ? rs : null,
                "the second term to scale the ReplicaSet to 3 pods");
            Assert.Equal(3, (await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=shared")).Items.Count);
            Assert.Equal(scaled.Metadata.Generation, scaled.Status.ObservedGeneration);
            await term.CancelAsync();
            await running;
        }
    }
}
