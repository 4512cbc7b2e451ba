using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Services;

/// <summary>Which pooled values a Service spec needs, by type (upstream's needsClusterIP / needsNodePort / needsHCNodePort).</summary>
internal static class ServiceTypes
{
    /// <summary>The type, ClusterIP when unset (the default).</summary>
    public static string Of(JsonObject? spec) => spec.Str("type") is { Length: > 0 } type ? type : "ClusterIP";

    public static bool NeedsClusterIP(JsonObject? spec) => Of(spec) != "ExternalName";

    public static bool NeedsNodePort(JsonObject? spec) => Of(spec) is "NodePort" or "LoadBalancer";

    public static bool NeedsHealthCheckNodePort(JsonObject? spec) => Of(spec) == "LoadBalancer" && spec.Str("externalTrafficPolicy") == "Local";

    /// <summary>NodePort and LoadBalancer services, and ClusterIP services with external IPs.</summary>
    public static bool ExternallyAccessible(JsonObject? spec) =>
        NeedsNodePort(spec) || (Of(spec) == "ClusterIP" && spec.Arr("externalIPs") is { Count: > 0 });
}
