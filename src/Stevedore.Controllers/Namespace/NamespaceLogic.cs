using k8s;
using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Namespace;

/// <summary>
/// The pure decision logic of the namespace controller (upstream pkg/controller/namespace/deletion):
/// which resources to empty, in which order, what the namespace's conditions say, and when the
/// "kubernetes" finalizer may be removed.
/// </summary>
public static class NamespaceLogic
{
    /// <summary>The spec finalizer owned by this controller.</summary>
    public const string KubernetesFinalizer = "kubernetes";

    /// <summary>Default wait for content that only waits on finalizers (upstream finalizerEstimateSeconds).</summary>
    public const long FinalizerEstimateSeconds = 5;

    private static readonly string[] ConditionTypes =
    [
        "NamespaceDeletionDiscoveryFailure",
        "NamespaceDeletionGroupVersionParsingFailure",
        "NamespaceDeletionContentFailure",
        "NamespaceContentRemaining",
        "NamespaceFinalizersRemaining",
    ];

    private static readonly Dictionary<string, (string Reason, string Message)> Ok = new(StringComparer.Ordinal)
    {
        ["NamespaceDeletionDiscoveryFailure"] = ("ResourcesDiscovered", "All resources successfully discovered"),
        ["NamespaceDeletionGroupVersionParsingFailure"] = ("ParsedGroupVersions", "All legacy kube types successfully parsed"),
        ["NamespaceDeletionContentFailure"] = ("ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
        ["NamespaceContentRemaining"] = ("ContentRemoved", "All content successfully removed"),
        ["NamespaceFinalizersRemaining"] = ("ContentHasNoFinalizers", "All content-preserving finalizers finished"),
    };

    // Controllers go before what they control, so they cannot recreate pods while the namespace empties.
    private static readonly string[] FirstResources =
    [
        "deployments.apps", "statefulsets.apps", "daemonsets.apps", "cronjobs.batch", "jobs.batch",
        "replicasets.apps", "replicationcontrollers.", "pods.",
    ];

    /// <summary>True when the namespace is being deleted and still carries our finalizer.</summary>
    public static bool NeedsDeletion(V1Namespace ns) =>
        ns.Metadata.DeletionTimestamp is not null && (ns.Spec?.Finalizers?.Contains(KubernetesFinalizer) ?? false);

    /// <summary>
    /// The resources to empty, in order: workload controllers, then pods, then everything else by name.
    /// Resources that cannot be listed and deleted are skipped.
    /// </summary>
    public static IReadOnlyList<NamespacedResource> DeletionOrder(IEnumerable<NamespacedResource> discovered) =>
        discovered
            .Where(r => r.CanList && (r.CanDelete || r.CanDeleteCollection))
            .DistinctBy(r => r.GroupResource)
            .OrderBy(r => Array.IndexOf(FirstResources, r.GroupResource) is var i && i >= 0 ? i : FirstResources.Length)
            .ThenBy(r => r.Group, StringComparer.Ordinal)
            .ThenBy(r => r.Resource, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Judges one deletion pass: <paramref name="content"/> has one entry per resource that was emptied,
    /// <paramref name="discoveryError"/> the discovery failure if any.
    /// </summary>
    public static NamespaceDeletionOutcome Evaluate(V1Namespace ns, IReadOnlyList<ResourceContent> content, string? discoveryError, DateTime now)
    {
        var failures = new Dictionary<string, (string Reason, string Message)>(StringComparer.Ordinal);
        var errors = new List<string>();
        if (discoveryError is not null)
        {
            errors.Add(discoveryError);
            failures["NamespaceDeletionDiscoveryFailure"] = ("DiscoveryFailed", discoveryError);
        }

        long estimate = 0;
        var remaining = new List<string>();
        var finalizers = new Dictionary<string, int>(StringComparer.Ordinal);
        var contentErrors = new List<string>();
        foreach (var item in content)
        {
            if (item.DeleteError is not null)
            {
                contentErrors.Add(item.DeleteError);
                continue;
            }

            if (item.Remaining == 0)
            {
                continue;
            }

            remaining.Add($"{item.GroupResourceText()} has {item.Remaining} resource instances");
            foreach (var (finalizer, count) in item.FinalizersRemaining ?? new Dictionary<string, int>())
            {
                finalizers[finalizer] = finalizers.GetValueOrDefault(finalizer) + count;
            }

            var itemEstimate = item.EstimateSeconds > 0 ? item.EstimateSeconds
                : item.FinalizersRemaining is { Count: > 0 } ? FinalizerEstimateSeconds
                : 0;
            if (itemEstimate == 0)
            {
                contentErrors.Add($"unexpected items still remain in namespace: {ns.Metadata.Name} for gvr: {item.Resource.Group}/{item.Resource.Version}, Resource={item.Resource.Resource}");
            }

            estimate = Math.Max(estimate, itemEstimate);
        }

        if (contentErrors.Count > 0)
        {
            errors.AddRange(contentErrors);
            var aggregate = contentErrors.Count == 1 ? contentErrors[0] : $"[{string.Join(", ", contentErrors)}]";
            failures["NamespaceDeletionContentFailure"] = ("ContentDeletionFailed", $"Failed to delete all resource types, {contentErrors.Count} remaining: {aggregate}");
        }

        if (remaining.Count > 0)
        {
            failures["NamespaceContentRemaining"] = ("SomeResourcesRemain", $"Some resources are remaining: {string.Join(", ", remaining.Order(StringComparer.Ordinal))}");
        }

        if (finalizers.Count > 0)
        {
            var list = finalizers.Select(kv => $"{kv.Key} in {kv.Value} resource instances").Order(StringComparer.Ordinal);
            failures["NamespaceFinalizersRemaining"] = ("SomeFinalizersRemain", $"Some content in the namespace has finalizers remaining: {string.Join(", ", list)}");
        }

        var status = UpdateConditions(ns.Status, failures, now);
        var finalize = errors.Count == 0 && estimate == 0 && remaining.Count == 0;
        var spec = new V1NamespaceSpec { Finalizers = (ns.Spec?.Finalizers ?? []).Where(f => f != KubernetesFinalizer).ToList() };
        return new NamespaceDeletionOutcome(
            status,
            KubernetesJson.Serialize(ns.Status ?? new V1NamespaceStatus()) != KubernetesJson.Serialize(status),
            finalize,
            spec,
            !finalize && errors.Count == 0 && estimate > 0 ? TimeSpan.FromSeconds(estimate) : null,
            errors.Count > 0);
    }

    private static string GroupResourceText(this ResourceContent content) => content.Resource.GroupResource;

    private static V1NamespaceStatus UpdateConditions(V1NamespaceStatus? stored, Dictionary<string, (string Reason, string Message)> failures, DateTime now)
    {
        var conditions = (stored?.Conditions ?? []).Select(ObjectCopy.Deep).ToList();
        foreach (var type in ConditionTypes)
        {
            var failed = failures.TryGetValue(type, out var failure);
            var (reason, message) = failed ? failure : Ok[type];
            var status = failed ? "True" : "False";
            var index = conditions.FindIndex(c => c.Type == type);
            if (index >= 0 && conditions[index].Status == status && conditions[index].Reason == reason && conditions[index].Message == message)
            {
                continue;
            }

            var condition = new V1NamespaceCondition { Type = type, Status = status, Reason = reason, Message = message, LastTransitionTime = now };
            if (index >= 0)
            {
                conditions[index] = condition;
            }
            else
            {
                conditions.Add(condition);
            }
        }

        return new V1NamespaceStatus { Phase = "Terminating", Conditions = conditions };
    }
}
