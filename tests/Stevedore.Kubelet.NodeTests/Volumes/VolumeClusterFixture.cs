using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Stevedore.ApiServer.Admission;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.ServiceAccounts;
using Stevedore.Storage;

namespace Stevedore.Kubelet.NodeTests.Volumes;

/// <summary>
/// A real API server on loopback over SQLite, wired for ServiceAccounts as <c>stevedore server</c> is
/// (TokenRequest, the JWT authenticator, the ServiceAccount admission), and an admin client for it.
/// </summary>
public sealed class VolumeClusterFixture : IAsyncLifetime
{
    private const string AdminToken = "volumes-admin-token";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-volumes-api-" + Guid.NewGuid().ToString("N"));
    private IStore? _store;
    private ServiceAccountSigningKey? _key;
    private ApiServerHost? _host;

    public IKubernetes Client { get; private set; } = null!;

    public Uri Address => _host!.Address;

    /// <summary>What the kube-root-ca.crt ConfigMaps of test namespaces hold.</summary>
    public string CaPem { get; } = CreateCaPem();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _store = StoreFactory.Open("sqlite", _dataDir);
        _key = ServiceAccountSigningKey.LoadOrCreate(_dataDir);
        var issuer = new ServiceAccountTokenIssuer(_key, TimeProvider.System);
        var bearer = new BearerTokenAuthenticator([
            new StaticTokenAuthenticator([new StaticToken(AdminToken, new UserInfo("admin", null, ["system:masters"]))]),
            new ServiceAccountTokenAuthenticator(issuer, new StoreBoundObjectGetter(_store)),
        ]);
        _host = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new UnionAuthenticator(bearer),
            Reviews = new ReviewResponder(new ApiServer.Security.Authorization.AllowAuthenticatedAuthorizer(), new ApiServer.Security.Authorization.AllowAuthenticatedAuthorizer(), bearer, TimeProvider.System),
            ServiceAccountTokens = issuer,
            AdmissionPlugins = AdmissionPlugins.BuiltIn,
        }, CancellationToken.None);
        Client = ClientFor(AdminToken);
    }

    public IKubernetes ClientFor(string token) =>
        new Kubernetes(new KubernetesClientConfiguration { Host = _host!.Address.ToString(), AccessToken = token });

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _key?.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    /// <summary>A namespace of the test's own, with its <c>default</c> ServiceAccount and <c>kube-root-ca.crt</c>, as the controllers would make them.</summary>
    public async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, name);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "kube-root-ca.crt" },
            Data = new Dictionary<string, string> { ["ca.crt"] = CaPem },
        }, name);
        return name;
    }

    private static string CreateCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=volumes-test-ca", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}

[CollectionDefinition(Name)]
public sealed class VolumeClusterCollection : ICollectionFixture<VolumeClusterFixture>
{
    public const string Name = "volume-cluster";
}
