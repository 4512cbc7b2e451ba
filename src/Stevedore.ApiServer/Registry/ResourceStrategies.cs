using System.Text.Json.Nodes;
using Stevedore.ApiServer.Admission;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Services;

namespace Stevedore.ApiServer.Registry;

/// <summary>
/// The per-kind rules of the generic registry that are not defaulting or validation: which
/// kinds count generations, how status is protected from spec writes and vice versa, and how
/// long a delete waits.
/// </summary>
public static class ResourceStrategies
{
    private static readonly HashSet<string> GenerationGroups = ["apps", "batch", "autoscaling", "policy", "networking.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io"];

    /// <summary>Kinds whose status is set by their creator rather than reset on create.</summary>
    private static readonly HashSet<string> StatusKeptOnCreate = ["Node", "Event"];

    public static bool HasGeneration(ApiResource resource) =>
        GenerationGroups.Contains(resource.Group) || resource.Kind is "ReplicationController" or "Pod";

    /// <summary>True when anything but metadata and status differs (what bumps metadata.generation).</summary>
    public static bool SpecChanged(JsonObject desired, JsonObject current)
    {
        foreach (var (key, value) in desired)
        {
            if (key is "metadata" or "status" or "apiVersion" or "kind")
            {
                continue;
            }

            if (!JsonNode.DeepEquals(value, current[key]))
            {
                return true;
            }
        }

        foreach (var (key, _) in current)
        {
            if (key is not ("metadata" or "status" or "apiVersion" or "kind") && !desired.ContainsKey(key))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly string[] EmptyDroppedMetadata = ["ownerReferences", "finalizers", "labels", "annotations"];

    /// <summary>
    /// Turns write-only convenience fields into their stored form: a Secret's
    /// <c>stringData</c> is merged into <c>data</c> (base64) and never stored; empty metadata
    /// lists and maps are dropped.
    /// </summary>
    public static void Normalize(ApiResource resource, JsonObject obj)
    {
        // Upstream's typed objects drop these when empty (omitempty), so the garbage collector removing
        // the last ownerReference, or a patch removing the last label, leaves no "[]" or "{}" behind.
        if (obj["metadata"] is JsonObject meta)
        {
            foreach (var field in EmptyDroppedMetadata)
            {
                if (meta[field] is JsonArray { Count: 0 } or JsonObject { Count: 0 })
                {
                    meta.Remove(field);
                }
            }
        }

        if (resource.Kind == "Secret" && obj["stringData"] is JsonObject stringData)
        {
            var data = obj["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.ToString() ?? ""));
            }

            obj["data"] = data;
            obj.Remove("stringData");
        }
    }

    /// <summary>
    /// The built-in mutating admission steps that run after defaulting on writes to the main resource
    /// (never on subresources such as status or binding): DefaultTolerationSeconds for pods.
    /// </summary>
    public static void Admit(ApiResource resource, JsonObject obj, string? subresource)
    {
        if (subresource is null && resource.Group.Length == 0 && resource.Kind == "Pod")
        {
            DefaultTolerationSeconds.Admit(obj);
        }
    }

    /// <param name="user">The requester, recorded by kinds that say who asked (a CertificateSigningRequest's spec.username...).</param>
    public static void PrepareForCreate(ApiResource resource, JsonObject obj, Security.Authentication.UserInfo? user = null)
    {
        switch (resource.Kind)
        {
            case "CertificateSigningRequest" when resource.Group == CertificateSigningRequestStrategy.Group:
                CertificateSigningRequestStrategy.PrepareForCreate(obj, user);
                return;
            case "Namespace":
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                // Every new namespace waits for the namespace controller to empty it before it goes;
                // only /finalize takes the finalizer away again.
                if (obj["spec"] is not JsonObject spec)
                {
                    obj["spec"] = spec = [];
                }

                if (spec["finalizers"] is not JsonArray finalizers)
                {
                    spec["finalizers"] = finalizers = [];
                }

                if (!finalizers.Any(f => f?.ToString() == "kubernetes"))
                {
                    finalizers.Add("kubernetes");
                }

                return;
            case "Pod":
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QualityOfService.Compute(obj["spec"] as JsonObject) };
                return;
            case "PersistentVolumeClaim" or "PersistentVolume":
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
                return;
            case "Service" when resource.Group.Length == 0:
                ServiceStrategy.PrepareForCreate(obj);
                return;
        }

        if (resource.HasSubresource("status") && !StatusKeptOnCreate.Contains(resource.Kind))
        {
            obj.Remove("status");
        }
    }

    /// <summary>
    /// A write to the main resource cannot change status, and a write to <c>/status</c> can
    /// change only status (and annotations), as upstream's status strategies enforce.
    /// </summary>
    /// <param name="now">When the write happens (condition timestamps); the system clock when null.</param>
    public static void PrepareForUpdate(ApiResource resource, JsonObject desired, JsonObject current, string? subresource, DateTimeOffset? now = null)
    {
        if (resource.Kind == "CertificateSigningRequest" && resource.Group == CertificateSigningRequestStrategy.Group)
        {
            CertificateSigningRequestStrategy.PrepareForUpdate(desired, current, subresource, now ?? DateTimeOffset.UtcNow);
            return;
        }

        if (subresource == "status")
        {
            var status = desired["status"]?.DeepClone();
            var annotations = desired["metadata"]?["annotations"]?.DeepClone();
            var rv = desired["metadata"]?["resourceVersion"]?.DeepClone();
            desired.Clear();
            foreach (var (key, value) in current)
            {
                desired[key] = value?.DeepClone();
            }

            if (status is null)
            {
                desired.Remove("status");
            }
            else
            {
                desired["status"] = status;
            }

            var meta = Json.Metadata(desired);
            if (annotations is null)
            {
                meta.Remove("annotations");
            }
            else
            {
                meta["annotations"] = annotations;
            }

            meta["resourceVersion"] = rv;
            return;
        }

        if (subresource is null && resource.HasSubresource("status") && resource.Kind is not "Namespace")
        {
            if (current["status"] is { } status)
            {
                desired["status"] = status.DeepClone();
            }
            else
            {
                desired.Remove("status");
            }
        }
        else if (resource.Kind == "Namespace")
        {
            // Namespace phase is owned by the server; spec.finalizers only through /finalize.
            desired["status"] = current["status"]?.DeepClone();
        }

        if (subresource is null && resource.Kind == "Service" && resource.Group.Length == 0)
        {
            ServiceStrategy.PrepareForUpdate(desired, current);
        }
    }

    /// <summary>
    /// Whether an update removes the object instead of writing it (upstream <c>ShouldDeleteDuringUpdate</c>):
    /// it is being deleted with no grace left (<c>deletionGracePeriodSeconds: 0</c>) and the update leaves no
    /// finalizer. A pod still in its grace period stays (its node confirms the stop with a final delete), and a
    /// namespace also waits for its <c>spec.finalizers</c>, so writing a terminating namespace's status keeps it.
    /// </summary>
    public static bool ShouldDeleteDuringUpdate(ApiResource resource, JsonObject desired, JsonObject current)
    {
        var meta = Json.Metadata(desired);
        var currentMeta = Json.Metadata(current);
        if (currentMeta["deletionTimestamp"] is null || meta["finalizers"] is JsonArray { Count: > 0 })
        {
            return false;
        }

        if (currentMeta["deletionGracePeriodSeconds"] is not JsonValue grace || !grace.TryGetValue<long>(out var seconds) || seconds != 0)
        {
            return false;
        }

        return resource.Kind != "Namespace" || desired["spec"]?["finalizers"] is not JsonArray { Count: > 0 };
    }

    /// <summary>Background unless the object asks otherwise through its finalizers.</summary>
    public static string DefaultPropagation(ApiResource resource, JsonObject meta) => "Background";

    public static bool HasDependents(ApiResource resource) => !resource.IsVirtual;

    /// <summary>
    /// Seconds a delete waits before the object is gone. Only pods that a node runs wait
    /// (their node confirms the stop); everything else goes at once unless finalized.
    /// </summary>
    public static long GracePeriod(ApiResource resource, JsonObject obj, long? requested)
    {
        if (resource.Kind == "Namespace")
        {
            // A namespace with spec.finalizers waits for the namespace controller to empty it.
            return obj["spec"]?["finalizers"] is JsonArray { Count: > 0 } ? 1 : 0;
        }

        if (resource.Kind != "Pod")
        {
            return 0;
        }

        var nodeName = obj["spec"]?["nodeName"]?.ToString();
        var phase = obj["status"]?["phase"]?.ToString();
        if (string.IsNullOrEmpty(nodeName) || phase is "Succeeded" or "Failed")
        {
            return 0;
        }

        if (requested is not null)
        {
            return Math.Max(0, requested.Value);
        }

        return obj["spec"]?["terminationGracePeriodSeconds"] is JsonValue v && v.TryGetValue<long>(out var seconds) ? seconds : 30;
    }

    public static void PrepareForGracefulDelete(ApiResource resource, JsonObject obj)
    {
        if (resource.Kind == "Namespace")
        {
            var status = obj["status"] as JsonObject ?? [];
            status["phase"] = "Terminating";
            obj["status"] = status;
            Json.Metadata(obj)["deletionGracePeriodSeconds"] = 0;
        }
    }
}
