namespace Stevedore.ApiServer.Discovery;

/// <summary>What discovery says about a subresource: the kind it answers with and its verbs.</summary>
public sealed record SubresourceInfo(string Group, string Version, string Kind, IReadOnlyList<string> Verbs)
{
    /// <summary>Upstream's answer kinds and verbs per subresource; null group means "same as the parent".</summary>
    public static SubresourceInfo For(string subresource, string parentGroup, string parentVersion, string parentKind) => subresource switch
    {
        "status" => new(parentGroup, parentVersion, parentKind, ["get", "patch", "update"]),
        "scale" => new("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
        "binding" => new("", "v1", "Binding", ["create"]),
        "eviction" => new("policy", "v1", "Eviction", ["create"]),
        "log" => new("", "v1", "Pod", ["get"]),
        "exec" => new("", "v1", "PodExecOptions", ["create", "get"]),
        "attach" => new("", "v1", "PodAttachOptions", ["create", "get"]),
        "portforward" => new("", "v1", "PodPortForwardOptions", ["create", "get"]),
        "ephemeralcontainers" => new(parentGroup, parentVersion, parentKind, ["get", "patch", "update"]),
        "token" => new("authentication.k8s.io", "v1", "TokenRequest", ["create"]),
        "finalize" => new(parentGroup, parentVersion, parentKind, ["update"]),
        _ => new(parentGroup, parentVersion, parentKind, ["get"]),
    };
}
