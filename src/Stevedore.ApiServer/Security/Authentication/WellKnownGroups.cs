namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>Group names with a fixed meaning in Kubernetes.</summary>
public static class WellKnownGroups
{
    /// <summary>Every user that any authenticator recognised.</summary>
    public const string Authenticated = "system:authenticated";

    /// <summary>Superusers: RBAC allows them everything.</summary>
    public const string Masters = "system:masters";

    /// <summary>Kubelets (CN <c>system:node:NAME</c>).</summary>
    public const string Nodes = "system:nodes";
}
