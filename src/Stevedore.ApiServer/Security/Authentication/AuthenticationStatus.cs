using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>The Kubernetes <c>Status</c> bodies of authentication failures.</summary>
public static class AuthenticationStatus
{
    /// <summary>The body of a 401 answer, exactly as kube-apiserver sends it.</summary>
    public static JsonObject Unauthorized() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = "Unauthorized",
        ["reason"] = "Unauthorized",
        ["code"] = 401,
    };
}
