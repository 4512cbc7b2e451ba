using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Security.Authorization;

/// <summary>The 403 <c>Status</c> body kube-apiserver sends when authorization does not allow a request.</summary>
public static class ForbiddenStatus
{
    /// <summary>
    /// E.g. <c>pods "web" is forbidden: User "jane" cannot get resource "pods" in API group "" in the namespace "default"</c>,
    /// followed by <c>: REASON</c> when the authorizer gave one.
    /// </summary>
    public static JsonObject Create(AuthorizationAttributes attrs, string reason = "")
    {
        var explanation = reason.Length == 0 ? Explain(attrs) : $"{Explain(attrs)}: {reason}";
        var qualifiedResource = attrs.ApiGroup.Length == 0 ? attrs.Resource : $"{attrs.Resource}.{attrs.ApiGroup}";
        string message;
        if (qualifiedResource.Length == 0)
        {
            message = $"forbidden: {explanation}";
        }
        else if (attrs.Name.Length == 0)
        {
            message = $"{qualifiedResource} is forbidden: {explanation}";
        }
        else
        {
            message = $"{qualifiedResource} \"{attrs.Name}\" is forbidden: {explanation}";
        }

        var details = new JsonObject();
        if (attrs.Name.Length > 0)
        {
            details["name"] = attrs.Name;
        }

        if (attrs.ApiGroup.Length > 0)
        {
            details["group"] = attrs.ApiGroup;
        }

        if (attrs.Resource.Length > 0)
        {
            details["kind"] = attrs.Resource;
        }

        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = "Forbidden",
            ["details"] = details,
            ["code"] = 403,
        };
    }

    /// <summary>The "User X cannot ..." sentence.</summary>
    public static string Explain(AuthorizationAttributes attrs)
    {
        var user = attrs.User.Name;
        if (!attrs.IsResourceRequest)
        {
            return $"User \"{user}\" cannot {attrs.Verb} path \"{attrs.Path}\"";
        }

        var resource = attrs.Subresource.Length > 0 ? $"{attrs.Resource}/{attrs.Subresource}" : attrs.Resource;
        return attrs.Namespace.Length > 0
            ? $"User \"{user}\" cannot {attrs.Verb} resource \"{resource}\" in API group \"{attrs.ApiGroup}\" in the namespace \"{attrs.Namespace}\""
            : $"User \"{user}\" cannot {attrs.Verb} resource \"{resource}\" in API group \"{attrs.ApiGroup}\" at the cluster scope";
    }
}
