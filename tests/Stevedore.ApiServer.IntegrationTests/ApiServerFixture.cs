using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Hosting;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.Storage;

namespace Stevedore.ApiServer.IntegrationTests;

/// <summary>A real API server on a loopback port over a real SQLite store in a temp folder.</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "stevedore-it-" + Guid.NewGuid().ToString("N"));
    private IStore? _store;

    public ApiServerHost Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _store = StoreFactory.Open("sqlite", _dataDir);
        Host = await ApiServerHost.StartAsync(new ApiServerOptions
        {
            Store = _store,
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            Authenticator = new BearerTokenAuthenticator([new StaticTokenAuthenticator([new StaticToken("test-token", new UserInfo("tester", null, []))])]),
        }, CancellationToken.None);
        Client = new HttpClient { BaseAddress = Host.Address, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-token");
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }

    public async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? [] : (JsonNode.Parse(text) as JsonObject ?? []));
    }

    /// <summary>A namespace of the test's own, so tests never see each other's objects.</summary>
    public async Task<string> CreateNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..10];
        var (code, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");
        Assert.True(code == HttpStatusCode.Created, body.ToJsonString());
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiServerCollection : ICollectionFixture<ApiServerFixture>
{
    public const string Name = "api-server";
}
