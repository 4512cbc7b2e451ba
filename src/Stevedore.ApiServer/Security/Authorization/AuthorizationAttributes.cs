using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>
/// What a request wants to do, in the terms authorizers decide on (authorizer.Attributes
/// upstream). A resource request names group/version/resource[/subresource] in a namespace
/// (empty for cluster scope or "all namespaces") with an optional object name; a non-resource
/// request names a URL <see cref="Path"/> such as <c>/healthz</c>.
/// </summary>
public sealed record AuthorizationAttributes
{
    public required UserInfo User { get; init; }

    /// <summary>Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection, or an HTTP verb (lowercase) for non-resource requests.</summary>
    public required string Verb { get; init; }

    public bool IsResourceRequest { get; init; }

    public string ApiGroup { get; init; } = "";
    public string ApiVersion { get; init; } = "";
    public string Resource { get; init; } = "";
    public string Subresource { get; init; } = "";
    public string Namespace { get; init; } = "";
    public string Name { get; init; } = "";

    /// <summary>The request path of a non-resource request.</summary>
    public string Path { get; init; } = "";

    /// <summary>Attributes of a resource request.</summary>
    public static AuthorizationAttributes ForResource(
        UserInfo user, string verb, string apiGroup, string apiVersion, string resource,
        string subresource = "", string @namespace = "", string name = "") => new()
        {
            User = user,
            Verb = verb,
            IsResourceRequest = true,
            ApiGroup = apiGroup,
            ApiVersion = apiVersion,
            Resource = resource,
            Subresource = subresource,
            Namespace = @namespace,
            Name = name,
        };

    /// <summary>Attributes of a non-resource request (<c>/healthz</c>, <c>/version</c>, <c>/apis</c>...).</summary>
    public static AuthorizationAttributes ForPath(UserInfo user, string verb, string path) => new()
    {
        User = user,
        Verb = verb,
        IsResourceRequest = false,
        Path = path,
    };
}
