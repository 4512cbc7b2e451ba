using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;

namespace Stevedore.ApiServer.Http;

public sealed partial class ApiHandler
{
    /// <summary>403 unless the authorizer allows this resource request (no authorizer: everything authenticated passes).</summary>
    private void AuthorizeResource(HttpContext context, ApiResource resource, RequestInfo info, UserInfo user)
    {
        if (_authorizer is null)
        {
            return;
        }

        var attributes = AuthorizationAttributes.ForResource(user, VerbOf(context.Request, resource, info), resource.Group, resource.Version,
            resource.Plural, info.Subresource ?? "", info.Namespace ?? "", info.Name ?? "");
        Check(attributes);
    }

    /// <summary>403 unless the authorizer allows this non-resource request (discovery, OpenAPI, metrics...).</summary>
    private void AuthorizePath(HttpContext context, string path, UserInfo user)
    {
        if (_authorizer is not null)
        {
            Check(AuthorizationAttributes.ForPath(user, context.Request.Method.ToLowerInvariant(), path.Length == 0 ? "/" : path));
        }
    }

    private void Check(AuthorizationAttributes attributes)
    {
        var decision = _authorizer!.Authorize(attributes);
        if (!decision.IsAllowed)
        {
            var status = ForbiddenStatus.Create(attributes, decision.Reason);
            throw new ApiException(403, "Forbidden", status["message"]!.ToString())
            {
                DetailsName = attributes.Name.Length > 0 ? attributes.Name : null,
                DetailsGroup = attributes.ApiGroup.Length > 0 ? attributes.ApiGroup : null,
                DetailsKind = attributes.Resource.Length > 0 ? attributes.Resource : null,
            };
        }
    }

    /// <summary>The Kubernetes verb of a request, as upstream's request info resolver names it.</summary>
    internal static string VerbOf(HttpRequest request, ApiResource resource, RequestInfo info)
    {
        if (resource.IsVirtual)
        {
            return "create";
        }

        var watch = IsTrue(request.Query["watch"]);
        return request.Method switch
        {
            "GET" or "HEAD" when watch => "watch",
            "GET" or "HEAD" => info.Name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => info.Name is null ? "deletecollection" : "delete",
            _ => request.Method.ToLowerInvariant(),
        };
    }
}
