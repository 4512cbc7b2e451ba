using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Discovery;
using Stevedore.ApiServer.OpenApi;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Http;

/// <summary>
/// The Kubernetes REST surface: routes every request by path to discovery, OpenAPI, health or
/// a resource verb, and turns every failure into a <c>Status</c> body. One instance serves all
/// requests; the per-verb code lives in the partial files beside this one.
/// </summary>
public sealed partial class ApiHandler
{
    private readonly ResourceCatalog _catalog;
    private readonly ResourceRegistry _registry;
    private readonly DiscoveryDocuments _discovery;
    private readonly ITableConverter _tables;
    private readonly OpenApiDocuments _openApi;
    private readonly Func<HttpContext, ValueTask<UserInfo?>> _authenticate;
    private readonly Func<bool> _isReady;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[] _version;
    private readonly Security.ServiceAccounts.ServiceAccountTokenIssuer? _serviceAccountTokens;
    private readonly string? _clusterCaPem;
    private readonly Security.Authorization.IAuthorizer? _authorizer;

    public ApiHandler(ApiHandlerDependencies d)
    {
        _catalog = d.Catalog;
        _registry = d.Registry;
        _discovery = new DiscoveryDocuments(d.Catalog);
        _tables = d.Tables;
        _openApi = d.OpenApi;
        _authenticate = d.Authenticate;
        _isReady = d.IsReady;
        _time = d.Time;
        _logger = d.Logger;
        _version = Json.Serialize(VersionInfo.ToJson());
        Reviews = d.Reviews;
        _serviceAccountTokens = d.ServiceAccountTokens;
        Kubelets = d.Kubelets ?? new Streaming.KubeletClient(new Streaming.KubeletClientOptions());
        _clusterCaPem = d.ClusterCaPem;
        _authorizer = d.Authorizer;
    }

    /// <summary>The connections to kubelets for the pod streaming subresources.</summary>
    public Streaming.KubeletClient Kubelets { get; }

    /// <summary>Answers for create-only review kinds (SelfSubjectAccessReview, TokenReview…).</summary>
    public IReviewResponder? Reviews { get; }

    public async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        try
        {
            var path = context.Request.Path.Value ?? "/";
            if (await TryHandleHealthAsync(context, path))
            {
                return;
            }

            var user = await _authenticate(context) ?? throw ApiException.Unauthorized();
            context.Items[typeof(UserInfo)] = user;
            await RouteAsync(context, path, user, ct);
        }
        catch (ApiException ex)
        {
            await WriteStatusAsync(context, ex);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Storage.StoreCompactedException ex)
        {
            await WriteStatusAsync(context, ApiException.Gone($"The provided continue parameter is too old to display a consistent list result. {ex.Message}"));
        }
        catch (Storage.StoreFutureRevisionException ex)
        {
            await WriteStatusAsync(context, ApiException.Timeout($"Too large resource version: {ex.RequestedRevision}, current: {ex.CurrentRevision}"));
        }
        catch (Storage.StoreUnavailableException ex)
        {
            LogStoreUnavailable(_logger, ex);
            await WriteStatusAsync(context, new ApiException(503, "ServiceUnavailable", $"the storage backend is unavailable: {ex.Message}") { RetryAfterSeconds = 1 });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug must never take the server down; the caller gets a 500 and the log the stack.
            LogUnhandled(_logger, context.Request.Method, context.Request.Path.Value ?? "", ex);
            await WriteStatusAsync(context, ApiException.Internal(ex.Message));
        }
    }

    private async Task<bool> TryHandleHealthAsync(HttpContext context, string path)
    {
        switch (path)
        {
            case "/healthz" or "/livez":
                await WriteTextAsync(context, 200, "ok");
                return true;
            case "/readyz":
                if (_isReady())
                {
                    await WriteTextAsync(context, 200, "ok");
                }
                else
                {
                    await WriteTextAsync(context, 503, "[-]informer-sync failed: not ready yet\nreadyz check failed");
                }

                return true;
            case "/version" or "/version/":
                await WriteJsonAsync(context, 200, _version);
                return true;
            case "/cacerts" when _clusterCaPem is not null:
                // Public by design (k3s serves the same): joining agents check it against their token's hash.
                await WriteTextAsync(context, 200, _clusterCaPem);
                return true;
            default:
                if (path.StartsWith("/healthz/", StringComparison.Ordinal) || path.StartsWith("/livez/", StringComparison.Ordinal) || path.StartsWith("/readyz/", StringComparison.Ordinal))
                {
                    await WriteTextAsync(context, 200, "ok");
                    return true;
                }

                return false;
        }
    }

    private async Task RouteAsync(HttpContext context, string path, UserInfo user, CancellationToken ct)
    {
        var trimmed = path.TrimEnd('/');
        if (RequestInfo.ParseResourcePath(trimmed) is null)
        {
            // Resource requests are authorized once their resource is known (HandleResourceAsync).
            AuthorizePath(context, trimmed, user);
        }

        switch (trimmed)
        {
            case "/api":
                await WriteDiscoveryAsync(context, _discovery.ApiVersions, _discovery.AggregatedCore);
                return;
            case "/apis":
                await WriteDiscoveryAsync(context, _discovery.ApiGroupList, _discovery.AggregatedGroups);
                return;
            case "/api/v1":
                await WriteJsonAsync(context, 200, _discovery.ResourceList("", "v1")!);
                return;
            case "" or "/":
                await WriteJsonAsync(context, 200, Json.Serialize(new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version") }));
                return;
        }

        if (await TryHandleOpenIdAsync(context, trimmed))
        {
            return;
        }

        if (trimmed == "/metrics")
        {
            await WriteBytesAsync(context, 200, "text/plain; version=0.0.4; charset=utf-8",
                Encoding.UTF8.GetBytes(await ServerMetrics.RenderAsync(_catalog, _registry, ct)));
            return;
        }

        if (trimmed.StartsWith("/openapi/", StringComparison.Ordinal))
        {
            await HandleOpenApiAsync(context, trimmed);
            return;
        }

        var parts = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 2 && parts[0] == "apis")
        {
            await WriteJsonAsync(context, 200, _discovery.Group(parts[1]) ?? throw ApiException.NotFoundPath(path));
            return;
        }

        if (parts.Length == 3 && parts[0] == "apis")
        {
            await WriteJsonAsync(context, 200, _discovery.ResourceList(parts[1], parts[2]) ?? throw ApiException.NotFoundPath(path));
            return;
        }

        var info = RequestInfo.ParseResourcePath(trimmed) ?? throw ApiException.NotFoundPath(path);
        var resource = _catalog.Find(info.Group, info.Version, info.Resource) ?? throw ApiException.NotFoundPath(path);
        if (info.Namespace is not null && !resource.Namespaced)
        {
            throw ApiException.NotFoundPath(path);
        }

        if (info.Subresource is not null && !resource.HasSubresource(info.Subresource))
        {
            throw ApiException.NotFoundPath(path);
        }

        await HandleResourceAsync(context, resource, info, user, ct);
    }

    private async Task HandleOpenApiAsync(HttpContext context, string path)
    {
        var response = OpenApiEndpoints.Respond(_openApi, path, context.Request.Query["hash"].ToString() is { Length: > 0 } h ? h : null,
            context.Request.Headers.Accept.ToString(), context.Request.Headers.IfNoneMatch.ToString(), Now) ?? throw ApiException.NotFoundPath(path);
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.StatusCode = response.StatusCode;
        if (response.ContentType is not null)
        {
            context.Response.ContentType = response.ContentType;
        }

        if (response.Body.Length > 0)
        {
            context.Response.ContentLength = response.Body.Length;
            await context.Response.Body.WriteAsync(response.Body, context.RequestAborted);
        }
    }

    private static async Task WriteDiscoveryAsync(HttpContext context, byte[] legacy, byte[][] aggregated)
    {
        // Answer with the first aggregated form the client lists, else the legacy document.
        foreach (var accepted in context.Request.Headers.Accept.ToString().Split(','))
        {
            var a = accepted.Replace(" ", "", StringComparison.Ordinal);
            if (!a.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal))
            {
                if (a.StartsWith("application/json", StringComparison.Ordinal) || a.StartsWith("*/*", StringComparison.Ordinal))
                {
                    break;
                }

                continue;
            }

            var version = a.Contains("v=v2beta1", StringComparison.Ordinal) ? "v2beta1" : a.Contains("v=v2;", StringComparison.Ordinal) || a.EndsWith("v=v2", StringComparison.Ordinal) ? "v2" : null;
            if (version is null)
            {
                continue;
            }

            context.Response.Headers.Vary = "Accept";
            await WriteBytesAsync(context, 200, $"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList",
                version == "v2" ? aggregated[0] : aggregated[1]);
            return;
        }

        await WriteJsonAsync(context, 200, legacy);
    }

    internal static Task WriteJsonAsync(HttpContext context, int code, byte[] body) => WriteBytesAsync(context, code, "application/json", body);

    internal static Task WriteJsonAsync(HttpContext context, int code, JsonNode body) => WriteBytesAsync(context, code, "application/json", Json.Serialize(body));

    internal static async Task WriteBytesAsync(HttpContext context, int code, string contentType, byte[] body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = code;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static Task WriteTextAsync(HttpContext context, int code, string text) =>
        WriteBytesAsync(context, code, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(text));

    internal static Task WriteStatusAsync(HttpContext context, ApiException ex)
    {
        if (ex.RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, ex.Code, ex.ToStatus());
    }

    internal static JsonObject SuccessStatus(string name, string group, string kind, string? uid)
    {
        var details = new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind };
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception);
}
