using System.Net;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.AspNetCore.Hosting;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;
using Stevedore.ApiServer.Security.Https;
using Stevedore.ApiServer.Security.Kubeconfig;
using Stevedore.ApiServer.Security.Pki;
using Stevedore.Client.Connecting;
using Stevedore.Controllers.Host;
using Stevedore.Kubelet.Bootstrap;
using Stevedore.Storage;

namespace Stevedore.Controllers.Tests.Host;

/// <summary>
/// TLS bootstrapping end to end in one process: a real HTTPS API server over SQLite with the cluster PKI, bootstrap
/// token authentication and the bootstrapper authorizer (as <c>stevedore server</c> wires them), the controller
/// manager with the CSR approver and signer, and the kubelet's bootstrap code asking for its certificate.
/// </summary>
public sealed class CertificateBootstrapTests(CertificateBootstrapTests.Cluster cluster) : IClassFixture<CertificateBootstrapTests.Cluster>
{
    private static readonly TimeSpan IssueTimeout = TimeSpan.FromSeconds(60);

    private static string NodeName() => "n-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task BootstrapToken_GetsANodeCertificate_ThatActsAsTheNode()
    {
        var node = NodeName();
        var (key, request) = NodeClientCertificate.CreateRequest(node);
        using (key)
        {
            using var bootstrap = cluster.ClientWithToken(Cluster.TokenId + "." + Cluster.TokenSecret);
            var certificate = await CertificateBootstrap.RequestAsync(bootstrap, request, IssueTimeout, TimeProvider.System, CancellationToken.None);

            Assert.Null(NodeClientCertificate.Problem(certificate, key.ExportECPrivateKeyPem(), cluster.Certificates.CaCertificate, node, DateTimeOffset.UtcNow));
            var csr = (await cluster.Admin.CertificatesV1.ListCertificateSigningRequestAsync()).Items
                .Single(c => c.Status?.Certificate is { } issued && Encoding.ASCII.GetString(issued) == certificate);
            Assert.Equal("system:bootstrap:" + Cluster.TokenId, csr.Spec.Username);
            Assert.Contains("system:bootstrappers", csr.Spec.Groups);
            Assert.Equal("AutoApproved", csr.Status.Conditions.Single(c => c.Type == "Approved").Reason);

            using var asNode = cluster.ClientWithCertificate(certificate, key.ExportECPrivateKeyPem());
            var review = await asNode.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
            Assert.Equal("system:node:" + node, review.Status.UserInfo.Username);
            Assert.Contains("system:nodes", review.Status.UserInfo.Groups);
            var created = await asNode.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node } });
            Assert.Equal(node, created.Metadata.Name);
            await cluster.Admin.CoreV1.DeleteNodeAsync(node);
        }
    }

    [Fact]
    public async Task BootstrapToken_CanDoNothingButRequestCertificates()
    {
        using var bootstrap = cluster.ClientWithToken(Cluster.TokenId + "." + Cluster.TokenSecret);

        var secrets = await Assert.ThrowsAsync<HttpOperationException>(() => bootstrap.CoreV1.ListNamespacedSecretAsync("kube-system"));
        Assert.Equal(HttpStatusCode.Forbidden, secrets.Response.StatusCode);
        var message = System.Text.Json.Nodes.JsonNode.Parse(secrets.Response.Content)!["message"]!.ToString();
        Assert.Equal($"secrets is forbidden: User \"system:bootstrap:{Cluster.TokenId}\" cannot list resource \"secrets\" in API group \"\" in the namespace \"kube-system\": bootstrap tokens may only request node client certificates", message);
        var node = await Assert.ThrowsAsync<HttpOperationException>(() => bootstrap.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = NodeName() } }));
        Assert.Equal(HttpStatusCode.Forbidden, node.Response.StatusCode);
    }

    [Fact]
    public async Task BootstrapperAskingForMasters_IsNeverApproved()
    {
        using var bootstrap = cluster.ClientWithToken(Cluster.TokenId + "." + Cluster.TokenSecret);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var greedy = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=system:admin, O=system:masters", key, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSigningRequestPem();
        var pending = await bootstrap.CertificatesV1.CreateCertificateSigningRequestAsync(new V1CertificateSigningRequest
        {
            Metadata = new V1ObjectMeta { GenerateName = "greedy-" },
            Spec = new V1CertificateSigningRequestSpec { Request = Encoding.ASCII.GetBytes(greedy), SignerName = NodeClientCertificate.SignerName, Usages = [.. NodeClientCertificate.Usages] },
        });

        // A proper request submitted after it is approved and issued: by then the approver has seen the greedy one too.
        var (nodeKey, request) = NodeClientCertificate.CreateRequest(NodeName());
        using (nodeKey)
        {
            await CertificateBootstrap.RequestAsync(bootstrap, request, IssueTimeout, TimeProvider.System, CancellationToken.None);
        }

        var after = await cluster.Admin.CertificatesV1.ReadCertificateSigningRequestAsync(pending.Metadata.Name);
        Assert.Empty(after.Status?.Conditions ?? []);
        Assert.Null(after.Status?.Certificate);
    }

    [Fact]
    public async Task WrongOrRevokedToken_IsUnauthorized()
    {
        var (key, request) = NodeClientCertificate.CreateRequest(NodeName());
        using (key)
        {
            using var wrong = cluster.ClientWithToken(Cluster.TokenId + ".0000000000000000");
            var refused = await Assert.ThrowsAsync<HttpOperationException>(() => CertificateBootstrap.RequestAsync(wrong, request, IssueTimeout, TimeProvider.System, CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Response.StatusCode);

            var (id, secret) = ("rev" + Guid.NewGuid().ToString("N")[..3], "0123456789abcdef");
            await cluster.CreateTokenSecretAsync(id, secret);
            using var revocable = cluster.ClientWithToken(id + "." + secret);
            Assert.NotNull(await revocable.CertificatesV1.ListCertificateSigningRequestAsync());
            await cluster.Admin.CoreV1.DeleteNamespacedSecretAsync(BootstrapTokens.SecretName(id), BootstrapTokens.Namespace);
            var revoked = await Assert.ThrowsAsync<HttpOperationException>(() => revocable.CertificatesV1.ListCertificateSigningRequestAsync());
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.Response.StatusCode);
        }
    }

    [Fact]
    public async Task DeniedRequest_EndsTheWaitWithTheReason()
    {
        var (key, request) = NodeClientCertificate.CreateRequest(NodeName());
        using (key)
        {
            // An admin's own request is not auto-approved: deny it by hand as `kubectl certificate deny` does.
            var waiting = CertificateBootstrap.RequestAsync(cluster.Admin, request, IssueTimeout, TimeProvider.System, CancellationToken.None);
            var csr = await LiveClusterFixture.EventuallyAsync(async () =>
                (await cluster.Admin.CertificatesV1.ListCertificateSigningRequestAsync()).Items.FirstOrDefault(c => Encoding.ASCII.GetString(c.Spec.Request) == request), "the request to appear");
            csr.Status ??= new V1CertificateSigningRequestStatus();
            csr.Status.Conditions = [new V1CertificateSigningRequestCondition { Type = "Denied", Status = "True", Reason = "NotToday", Message = "go away" }];
            await cluster.Admin.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(csr, csr.Metadata.Name);

            var denied = await Assert.ThrowsAsync<CertificateBootstrapException>(() => waiting);
            Assert.Equal($"certificate signing request {csr.Metadata.Name} was denied: NotToday: go away", denied.Message);
        }
    }

    /// <summary>The server, its PKI and the controller manager, shared by the tests of this class.</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        public const string TokenId = "tst123";
        public const string TokenSecret = "abcdefghij012345";
        private const string AdminToken = "csr-admin-token";

        private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-csr-" + Guid.NewGuid().ToString("N"));
        private readonly CancellationTokenSource _stop = new();
        private IStore? _store;
        private ApiServerHost? _host;
        private System.Security.Cryptography.X509Certificates.X509Certificate2? _signingCa;
        private Task _controllers = Task.CompletedTask;
        private string _url = "";

        public ClusterCertificates Certificates { get; private set; } = null!;

        public IKubernetes Admin { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(_dataDir);
            Certificates = ClusterCertificates.LoadOrCreate(_dataDir, [], TimeProvider.System);
            _store = StoreFactory.Open("sqlite", _dataDir);
            var bearer = new BearerTokenAuthenticator([
                new StaticTokenAuthenticator([new StaticToken(AdminToken, new UserInfo("admin", null, ["system:masters"]))]),
                new BootstrapTokenAuthenticator(_store, TimeProvider.System),
            ]);
            var authorizer = new UnionAuthorizer(new BootstrapperAuthorizer(), new AllowAuthenticatedAuthorizer());
            _host = await ApiServerHost.StartAsync(new ApiServerOptions
            {
                Store = _store,
                Listen = new IPEndPoint(IPAddress.Loopback, 0),
                ConfigureHttps = listen => listen.UseHttps(https => HttpsSetup.ConfigureHttps(https, Certificates)),
                Authenticator = new UnionAuthenticator(new X509ClientCertificateAuthenticator(Certificates.ClientCertificateValidator), bearer),
                Authorizer = authorizer,
                Reviews = new ReviewResponder(authorizer, new AllowAuthenticatedAuthorizer(), bearer, TimeProvider.System),
            }, CancellationToken.None);
            _url = $"https://127.0.0.1:{_host.Address.Port}";
            Admin = ClientWithToken(AdminToken);
            await CreateTokenSecretAsync(TokenId, TokenSecret);
            _signingCa = Certificates.CopyCaWithKey();
            _controllers = Task.Run(() => new ControllerManager(Admin, signingCa: _signingCa).RunControllersAsync(_stop.Token));
        }

        public Task CreateTokenSecretAsync(string id, string secret) =>
            Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = BootstrapTokens.SecretName(id) },
                Type = BootstrapTokens.SecretType,
                StringData = new Dictionary<string, string>
                {
                    ["token-id"] = id,
                    ["token-secret"] = secret,
                    ["usage-bootstrap-authentication"] = "true",
                },
            }, BootstrapTokens.Namespace);

        public IKubernetes ClientWithToken(string token) => ClusterConnection.FromConfiguration(new KubernetesClientConfiguration
        {
            Host = _url,
            AccessToken = token,
            SslCaCerts = [Certificates.CaCertificate],
        });

        public IKubernetes ClientWithCertificate(string certificatePem, string keyPem)
        {
            var path = Path.Combine(_dataDir, Guid.NewGuid().ToString("N") + ".kubeconfig");
            KubeconfigWriter.Write(path, _url, Certificates.CaPem, certificatePem, keyPem);
            return ClusterConnection.FromKubeconfig(path);
        }

        public async Task DisposeAsync()
        {
            await _stop.CancelAsync();
            await _controllers;
            Admin?.Dispose();
            if (_host is not null)
            {
                await _host.DisposeAsync();
            }

            if (_store is not null)
            {
                await _store.DisposeAsync();
            }

            _signingCa?.Dispose();
            Certificates?.Dispose();
            _stop.Dispose();
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}

