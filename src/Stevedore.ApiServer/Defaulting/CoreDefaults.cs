using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>Upstream core/v1 defaults for the kinds that are neither pods nor services.</summary>
internal static class CoreDefaults
{
    /// <summary>
    /// Namespace: phase Active and the metadata.name label. The <c>kubernetes</c> finalizer is added on
    /// create only (ResourceStrategies.PrepareForCreate), as upstream, because /finalize removes it later.
    /// </summary>
    public static void ApplyNamespace(JsonObject ns)
    {
        ns.Ensure("spec");
        ns.Ensure("status").Default("phase", "Active");
        if (ns.Obj("metadata").Str("name") is { Length: > 0 } name)
        {
            ns.Ensure("metadata").Ensure("labels")["kubernetes.io/metadata.name"] = name;
        }
    }

    public static void ApplySecret(JsonObject secret) => secret.Default("type", "Opaque");

    public static void ApplyPersistentVolumeClaim(JsonObject claim)
    {
        claim.Ensure("spec").Default("volumeMode", "Filesystem");
        claim.Ensure("status").Default("phase", "Pending");
    }

    public static void ApplyPersistentVolume(JsonObject volume)
    {
        var spec = volume.Ensure("spec");
        spec.Default("persistentVolumeReclaimPolicy", "Retain");
        spec.Default("volumeMode", "Filesystem");
        volume.Ensure("status").Default("phase", "Pending");
        spec.Obj("hostPath")?.Default("type", JsonValue.Create(""));
    }

    public static void ApplyEndpoints(JsonObject endpoints)
    {
        foreach (var subset in endpoints.Arr("subsets").Objects())
        {
            foreach (var port in subset.Arr("ports").Objects())
            {
                port.Default("protocol", "TCP");
            }
        }
    }

    public static void ApplyPodTemplate(JsonObject podTemplate) => PodDefaults.ApplyTemplate(podTemplate.Obj("template"));

    /// <summary>Container limit ranges: default limit from max, default request from the limit, then from min.</summary>
    public static void ApplyLimitRange(JsonObject limitRange)
    {
        foreach (var item in limitRange.Obj("spec").Arr("limits").Objects())
        {
            if (item.Str("type") != "Container")
            {
                continue;
            }

            var defaults = item.Ensure("default");
            var defaultRequests = item.Ensure("defaultRequest");
            CopyMissing(item.Obj("max"), defaults);
            CopyMissing(defaults, defaultRequests);
            CopyMissing(item.Obj("min"), defaultRequests);
        }
    }

    private static void CopyMissing(JsonObject? from, JsonObject to)
    {
        foreach (var (key, value) in from ?? [])
        {
            if (!to.ContainsKey(key) && value is not null)
            {
                to[key] = value.DeepClone();
            }
        }
    }
}
