using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Admission;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.ServiceAccounts;
using Stevedore.Storage;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>
/// A real API server over SQLite wired as <c>stevedore server</c> wires it for ServiceAccounts: the
/// TokenRequest issuer, the JWT authenticator in the bearer chain, and the ServiceAccount admission.
/// </summary>
public sealed class ServiceAccountServerFixture : IAsyncLifetime
{
    public const string AdminToken = "sa-admin-token";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-sa-" + Guid.NewGuid().ToString("N"));
    private IStore? _store;
    private ServiceAccountSigningKey? _key;

    public ApiServerHost Host { get; private set; } = null!;

    /// <summary>A client authenticated as an admin by a static token.</summary>
    public HttpClient Client { get; private set; } = null!;

    public ServiceAccountTokenIssuer Issuer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _store = StoreFactory.Open("sqlite", _dataDir);
        _key = ServiceAccountSigningKey.LoadOrCreate(_dataDir);
        Issuer = new ServiceAccountTokenIssuer(_key, TimeProvider.System);
        var bearer = new BearerTokenAuthenticator([
            new StaticTokenAuthenticator([new StaticToken(AdminToken, new UserInfo("admin", null, ["system:masters"]))]),
            new ServiceAccountTokenAuthenticator(Issuer, new StoreBoundObjectGetter(_store)),
        ]);
        Host = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new UnionAuthenticator(bearer),
            Reviews = new ReviewResponder(new ApiServer.Security.Authorization.AllowAuthenticatedAuthorizer(), new ApiServer.Security.Authorization.AllowAuthenticatedAuthorizer(), bearer, TimeProvider.System),
            ServiceAccountTokens = Issuer,
            AdmissionPlugins = AdmissionPlugins.BuiltIn,
        }, CancellationToken.None);
        Client = ClientWithToken(AdminToken);
    }

    public HttpClient ClientWithToken(string token)
    {
        var client = new HttpClient { BaseAddress = Host.Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _key?.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    public Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json") =>
        SendAsync(Client, method, path, body is null ? null : Encoding.UTF8.GetBytes(body), contentType);

    public static async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpClient client, HttpMethod method, string path, byte[]? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : (JsonNode.Parse(text) as JsonObject ?? []));
    }

    /// <summary>A namespace of the test's own with the given ServiceAccounts already created.</summary>
    public async Task<string> CreateNamespaceAsync(params string[] serviceAccounts)
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");
        Assert.True(code == HttpStatusCode.Created, body.ToJsonString());
        foreach (var account in serviceAccounts)
        {
            await CreateAsync($"/api/v1/namespaces/{name}/serviceaccounts", $$$"""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"{{{account}}}"}}""");
        }

        return name;
    }

    public async Task<JsonObject> CreateAsync(string path, string body)
    {
        var (code, created) = await SendAsync(HttpMethod.Post, path, body);
        Assert.True(code == HttpStatusCode.Created, $"{path}: {(int)code} {created.ToJsonString()}");
        return created;
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceAccountServerCollection : ICollectionFixture<ServiceAccountServerFixture>
{
    public const string Name = "service-account-server";
}
