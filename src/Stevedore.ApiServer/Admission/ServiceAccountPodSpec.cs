using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Admission;

/// <summary>The pure pod-spec edits of <see cref="ServiceAccountAdmission"/>.</summary>
public static class ServiceAccountPodSpec
{
    /// <summary>
    /// Sets <c>serviceAccountName</c> (from the deprecated <c>serviceAccount</c>, else "default") and mirrors
    /// it into <c>serviceAccount</c> as upstream's v1 conversion does; returns the name.
    /// </summary>
    public static string DefaultServiceAccountName(JsonObject spec)
    {
        var name = Text(spec["serviceAccountName"]);
        if (string.IsNullOrEmpty(name))
        {
            name = Text(spec["serviceAccount"]) is { Length: > 0 } deprecated ? deprecated : ServiceAccountAdmission.DefaultServiceAccountName;
        }

        spec["serviceAccountName"] = name;
        spec["serviceAccount"] = name;
        return name;
    }

    /// <summary>The pod's automountServiceAccountToken wins, then the account's; true when neither says.</summary>
    public static bool ShouldAutomount(JsonObject spec, JsonObject serviceAccount) =>
        Bool(spec["automountServiceAccountToken"]) ?? Bool(serviceAccount["automountServiceAccountToken"]) ?? true;

    /// <summary>
    /// Mounts the token volume in every init container and container that has nothing at the token path,
    /// and adds the volume when one of them needed it. An existing <c>kube-api-access-*</c> volume is reused.
    /// </summary>
    public static void MountToken(JsonObject spec, Func<string> generateVolumeName)
    {
        var volumes = spec["volumes"] as JsonArray;
        var existing = volumes?.OfType<JsonObject>().Select(v => Text(v["name"]))
            .FirstOrDefault(n => n is not null && n.StartsWith(ServiceAccountAdmission.VolumeNamePrefix, StringComparison.Ordinal));
        string? volumeName = existing;
        var needed = false;
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                var mounts = container["volumeMounts"] as JsonArray;
                if (mounts?.OfType<JsonObject>().Any(m => Text(m["mountPath"]) == ServiceAccountAdmission.TokenMountPath) == true)
                {
                    continue;
                }

                mounts ??= [];
                volumeName ??= generateVolumeName();
                mounts.Add(new JsonObject
                {
                    ["name"] = volumeName,
                    ["readOnly"] = true,
                    ["mountPath"] = ServiceAccountAdmission.TokenMountPath,
                });
                container["volumeMounts"] = mounts;
                needed = true;
            }
        }

        if (needed && existing is null)
        {
            volumes ??= [];
            volumes.Add(TokenVolume(volumeName!));
            spec["volumes"] = volumes;
        }
    }

    /// <summary>The projected volume of the token (3607 s), the cluster CA and the namespace, mode 0644.</summary>
    public static JsonObject TokenVolume(string name) => new()
    {
        ["name"] = name,
        ["projected"] = new JsonObject
        {
            ["defaultMode"] = 420,
            ["sources"] = new JsonArray(
                new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = ServiceAccountAdmission.TokenExpirationSeconds, ["path"] = "token" } },
                new JsonObject
                {
                    ["configMap"] = new JsonObject
                    {
                        ["name"] = "kube-root-ca.crt",
                        ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                    },
                },
                new JsonObject
                {
                    ["downwardAPI"] = new JsonObject
                    {
                        ["items"] = new JsonArray(new JsonObject
                        {
                            ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                            ["path"] = "namespace",
                        }),
                    },
                }),
        },
    };

    /// <summary>The account's imagePullSecrets, when the pod names none.</summary>
    public static void CopyImagePullSecrets(JsonObject spec, JsonObject serviceAccount)
    {
        if (spec["imagePullSecrets"] is JsonArray { Count: > 0 } || serviceAccount["imagePullSecrets"] is not JsonArray { Count: > 0 } secrets)
        {
            return;
        }

        spec["imagePullSecrets"] = new JsonArray([.. secrets.OfType<JsonObject>()
            .Select(s => (JsonNode)new JsonObject { ["name"] = Text(s["name"]) ?? "" })]);
    }

    /// <summary>Why a mirror pod's spec is refused (it references a service account or secrets), or null.</summary>
    public static string? MirrorPodViolation(JsonObject spec)
    {
        if (Text(spec["serviceAccountName"]) is { Length: > 0 } || Text(spec["serviceAccount"]) is { Length: > 0 })
        {
            return "a mirror pod may not reference service accounts";
        }

        var volumes = (spec["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (ReferencesSecrets(spec, volumes))
        {
            return "a mirror pod may not reference secrets";
        }

        if (volumes.Any(v => (v["projected"]?["sources"] as JsonArray ?? []).OfType<JsonObject>().Any(s => s["serviceAccountToken"] is not null)))
        {
            return "a mirror pod may not use ServiceAccountToken volume projections";
        }

        return null;
    }

    private static bool ReferencesSecrets(JsonObject spec, List<JsonObject> volumes)
    {
        if (spec["imagePullSecrets"] is JsonArray { Count: > 0 })
        {
            return true;
        }

        if (volumes.Any(v => v["secret"] is not null ||
            (v["projected"]?["sources"] as JsonArray ?? []).OfType<JsonObject>().Any(s => s["secret"] is not null)))
        {
            return true;
        }

        foreach (var list in new[] { "initContainers", "containers", "ephemeralContainers" })
        {
            foreach (var container in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                if ((container["env"] as JsonArray ?? []).OfType<JsonObject>().Any(e => e["valueFrom"]?["secretKeyRef"] is not null) ||
                    (container["envFrom"] as JsonArray ?? []).OfType<JsonObject>().Any(e => e["secretRef"] is not null))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool? Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
}
