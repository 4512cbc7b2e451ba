using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Http;

/// <summary>What the REST surface is built from; assembled by the host.</summary>
public sealed record ApiHandlerDependencies(
    ResourceCatalog Catalog,
    ResourceRegistry Registry,
    ITableConverter Tables,
    OpenApi.OpenApiDocuments OpenApi,
    IReviewResponder? Reviews,
    Func<HttpContext, ValueTask<UserInfo?>> Authenticate,
    Func<bool> IsReady,
    TimeProvider Time,
    ILogger Logger,
    Security.ServiceAccounts.ServiceAccountTokenIssuer? ServiceAccountTokens = null)
{
    /// <summary>How pods/log, exec, attach and portforward reach kubelets.</summary>
    public Streaming.KubeletClient? Kubelets { get; init; }

    /// <summary>The cluster CA (PEM) served without authentication at <c>/cacerts</c>; null serves none.</summary>
    public string? ClusterCaPem { get; init; }

    /// <summary>Decides every authenticated request (403 unless allowed); null lets every authenticated user do anything.</summary>
    public Security.Authorization.IAuthorizer? Authorizer { get; init; }
}
