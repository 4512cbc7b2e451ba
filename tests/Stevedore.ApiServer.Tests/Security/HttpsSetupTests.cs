using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Https;
using Stevedore.ApiServer.Security.Pki;

namespace Stevedore.ApiServer.Tests.Security;

/// <summary>A real Kestrel on a loopback port, configured by <see cref="HttpsSetup"/>, answering who the caller is.</summary>
public sealed class HttpsSetupTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _data = new();
    private readonly TemporaryDirectory _foreignData = new();
    private ClusterCertificates _certs = null!;
    private ClusterCertificates _foreign = null!;
    private WebApplication _app = null!;
    private Uri _baseAddress = null!;

    public async Task InitializeAsync()
    {
        _certs = ClusterCertificates.LoadOrCreate(_data.Path, ["127.0.0.1"], TimeProvider.System);
        _foreign = ClusterCertificates.LoadOrCreate(_foreignData.Path, ["127.0.0.1"], TimeProvider.System);
        var authenticator = new UnionAuthenticator(
            new X509ClientCertificateAuthenticator(_certs.ClientCertificateValidator),
            new BearerTokenAuthenticator([new StaticTokenAuthenticator([
                new StaticToken(_certs.AdminToken, new UserInfo(ClusterCertificates.AdminUser, null, [ClusterCertificates.AdminGroup]))])]));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options => HttpsSetup.Configure(options, new IPEndPoint(IPAddress.Loopback, 0), _certs));
        _app = builder.Build();
        _app.Run(async ctx =>
        {
            var user = await authenticator.AuthenticateAsync(ctx);
            if (user is null)
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await ctx.Response.WriteAsync(AuthenticationStatus.Unauthorized().ToJsonString());
                return;
            }

            await ctx.Response.WriteAsync($"{user.Name}|{string.Join(',', user.Groups)}|{ctx.Request.Protocol}");
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _baseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _certs.Dispose();
        _foreign.Dispose();
        _data.Dispose();
        _foreignData.Dispose();
    }

    /// <summary>A client that trusts only the given CA for the server, optionally presenting a client certificate.</summary>
    private static HttpClient Client(X509Certificate2 trustedCa, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(new X509Certificate2(certificate));
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler);
    }

    [Fact]
    public async Task Request_AdminClientCertificate_AuthenticatedAsSystemAdmin()
    {
        using var admin = new IssuedCertificate(_certs.AdminCertificatePem, _certs.AdminKeyPem).ToX509Certificate2();
        using var client = Client(_certs.CaCertificate, admin);

        var body = await client.GetStringAsync(_baseAddress);

        Assert.Equal("system:admin|system:masters,system:authenticated|HTTP/1.1", body);
    }

    [Fact]
    public async Task Request_Http2_NegotiatedOverTls()
    {
        using var node = _certs.IssueClientCertificate("system:node:n1", ["system:nodes"], TimeSpan.FromHours(1)).ToX509Certificate2();
        using var client = Client(_certs.CaCertificate, node);
        using var request = new HttpRequestMessage(HttpMethod.Get, _baseAddress)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("system:node:n1|system:nodes,system:authenticated|HTTP/2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_NoCertificateButAdminToken_Authenticated()
    {
        using var client = Client(_certs.CaCertificate);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _certs.AdminToken);

        var body = await client.GetStringAsync(_baseAddress);

        Assert.StartsWith("system:admin|", body);
    }

    [Fact]
    public async Task Request_NoCredentials_Unauthorized()
    {
        using var client = Client(_certs.CaCertificate);

        using var response = await client.GetAsync(_baseAddress);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("\"reason\":\"Unauthorized\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Request_ClientCertificateFromForeignCa_HandshakeRefused()
    {
        using var mallory = _foreign.IssueClientCertificate("mallory", ["system:masters"], TimeSpan.FromHours(1)).ToX509Certificate2();
        using var client = Client(_certs.CaCertificate, mallory);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(_baseAddress));
    }

    [Fact]
    public async Task Request_ClientTrustingForeignCa_RejectsServer()
    {
        using var client = Client(_foreign.CaCertificate);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(_baseAddress));
    }
}
