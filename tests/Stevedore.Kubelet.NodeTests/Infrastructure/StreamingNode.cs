using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Https;
using Stevedore.ApiServer.Security.Kubeconfig;
using Stevedore.ApiServer.Security.Pki;
using Stevedore.ApiServer.Streaming;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Server;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;
using Stevedore.Runtime.Snapshots;
using Stevedore.Storage;

namespace Stevedore.Kubelet.NodeTests.Infrastructure;

/// <summary>
/// One node's streaming path, all real and all on loopback: the engine and its CRI server (runc
/// containers), the kubelet's HTTPS server over CRI, and an API server (HTTPS, SQLite) with a Node
/// object pointing at that kubelet; an admin kubeconfig for kubectl. Disposal kills and removes
/// every container, unmounts, removes the cgroups and the directory, even after a failed test.
/// </summary>
public sealed class StreamingNode : IAsyncLifetime
{
    private static readonly string[] CgroupControllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd", "unified", ""];

    private readonly string _root = Directory.CreateTempSubdirectory("stevedore-kubelet-test-").FullName;
    private ContainerEngine? _engine;
    private CriServer? _cri;
    private GrpcChannel? _channel;
    private ClusterCertificates? _certificates;
    private X509Certificate2? _apiServerClientCertificate;
    private IStore? _store;
    private ApiServerHost? _apiServer;

    public string NodeName { get; } = "node-" + Guid.NewGuid().ToString("N")[..8];

    public RuntimeService.RuntimeServiceClient Runtime { get; private set; } = null!;

    public KubeletServer Kubelet { get; private set; } = null!;

    /// <summary>HTTP to the API server as the admin.</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>The admin kubeconfig.</summary>
    public string Kubeconfig => Path.Combine(_root, "server", "kubeconfig.yaml");

    /// <summary>Where pod log directories go (<c>/var/log/pods</c> in production).</summary>
    public string PodLogRoot => Path.Combine(_root, "pods");

    /// <summary>A client certificate the kubelet accepts (signed by the cluster CA).</summary>
    public X509Certificate2 KubeletClientCertificate => _apiServerClientCertificate!;

    public X509Certificate2 CaCertificate => _certificates!.CaCertificate;

    private string CgroupParent => "/stevedore-kubelet-test-" + Path.GetFileName(_root).Split('-')[^1];

    public async Task InitializeAsync()
    {
        if (NodeRequirements.Missing() is not null)
        {
            return;
        }

        _engine = new ContainerEngine(new EngineOptions
        {
            DataDir = Path.Combine(_root, "data"),
            RuntimeRoot = Path.Combine(_root, "runc"),
            CgroupParent = CgroupParent,
            RegistryConfigPath = null,
        });
        await _engine.ImportAsync(TestImages.PauseTar, null, CancellationToken.None);
        await _engine.ImportAsync(TestImages.BusyboxTar, null, CancellationToken.None);
        var socket = Path.Combine(_root, "cri.sock");
        _cri = await CriServer.StartAsync(_engine, socket, CancellationToken.None);
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = UnixSocketHandler(socket) });
        Runtime = new RuntimeService.RuntimeServiceClient(_channel);

        var serverDir = Path.Combine(_root, "server");
        Directory.CreateDirectory(serverDir);
        _certificates = ClusterCertificates.LoadOrCreate(serverDir, [], TimeProvider.System);
        _apiServerClientCertificate = _certificates.IssueClientCertificate("kube-apiserver-kubelet-client", ["system:masters"], TimeSpan.FromDays(1)).ToX509Certificate2();

        Kubelet = await KubeletServer.StartAsync(new KubeletServerOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            ServingCertificate = _certificates.ServingCertificate,
            ClientCertificateAuthority = _certificates.CaCertificate,
            Runtime = Runtime,
        }, CancellationToken.None);

        _store = StoreFactory.Open("sqlite", serverDir);
        var certificates = _certificates;
        _apiServer = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            ConfigureHttps = listen => listen.UseHttps(https => HttpsSetup.ConfigureHttps(https, certificates)),
            Authenticator = new X509ClientCertificateAuthenticator(certificates.ClientCertificateValidator),
            KubeletClient = new KubeletClientOptions { ClientCertificate = _apiServerClientCertificate, CertificateAuthority = certificates.CaCertificate },
        }, CancellationToken.None);
        var url = $"https://127.0.0.1:{_apiServer.Address.Port}";
        KubeconfigWriter.Write(Kubeconfig, url, certificates.CaPem, certificates.AdminCertificatePem, certificates.AdminKeyPem);
        Api = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [X509Certificate2.CreateFromPem(certificates.AdminCertificatePem, certificates.AdminKeyPem)],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        })
        { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };

        await CreateAsync("/api/v1/nodes", $$$"""{"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{NodeName}}}"}}""");
        await PatchStatusAsync($"/api/v1/nodes/{NodeName}/status",
            new JsonObject
            {
                ["status"] = new JsonObject
                {
                    ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = "127.0.0.1" }, new JsonObject { ["type"] = "Hostname", ["address"] = NodeName }),
                    ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = Kubelet.Port } },
                },
            }.ToJsonString());
    }

    /// <summary>A namespace of the test's own.</summary>
    public async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await CreateAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");
        return name;
    }

    /// <summary>POSTs an object and asserts it was created.</summary>
    public async Task<JsonObject> CreateAsync(string path, string json)
    {
        using var response = await Api.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Merge-patches a status subresource and asserts success.</summary>
    public async Task PatchStatusAsync(string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json") };
        using var response = await Api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PATCH {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>An HTTP client for the kubelet itself, with a certificate it accepts (or none).</summary>
    public HttpMessageInvoker KubeletClient(bool withCertificate = true) => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = withCertificate ? [KubeletClientCertificate] : null,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        },
    });

    public Uri KubeletUrl(string pathAndQuery) => new($"https://127.0.0.1:{Kubelet.Port}{pathAndQuery}");

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        if (_apiServer is not null)
        {
            await _apiServer.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (Kubelet is not null)
        {
            await Kubelet.DisposeAsync();
        }

        _channel?.Dispose();
        if (_cri is not null)
        {
            await _cri.DisposeAsync();
        }

        if (_engine is not null)
        {
            await RemoveContainersAsync(_engine);
        }

        _apiServerClientCertificate?.Dispose();
        _certificates?.Dispose();
        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(_root, StringComparison.Ordinal)))
        {
            Snapshotter.Unmount(mount);
        }

        Snapshotter.RemoveTree(_root);
    }

    private async Task RemoveContainersAsync(ContainerEngine engine)
    {
        foreach (var record in engine.Containers.List())
        {
            try
            {
                await engine.Runc.KillAsync(record.Id, "SIGKILL", all: true, CancellationToken.None);
            }
            catch (EngineException)
            {
            }

            for (var i = 0; i < 100 && await engine.Runc.StateAsync(record.Id, CancellationToken.None) == "running"; i++)
            {
                await Task.Delay(20);
            }

            await engine.Runc.DeleteAsync(record.Id, CancellationToken.None);
            Snapshotter.Unmount(engine.Containers.PathsOf(record.Id).Rootfs);
        }

        await Task.Delay(50);
        foreach (var controller in CgroupControllers)
        {
            var dir = Path.Combine("/sys/fs/cgroup", controller, CgroupParent.TrimStart('/'));
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var child in Directory.GetDirectories(dir).Append(dir))
            {
                try
                {
                    Directory.Delete(child);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static SocketsHttpHandler UnixSocketHandler(string socketPath) => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

[CollectionDefinition(Name)]
public sealed class StreamingNodeCollection : ICollectionFixture<StreamingNode>
{
    public const string Name = "streaming-node";
}
