using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>Upstream apps/v1 and ReplicationController defaults.</summary>
internal static class WorkloadDefaults
{
    public static void ApplyDeployment(JsonObject deployment)
    {
        var spec = deployment.Ensure("spec");
        spec.Default("replicas", 1);
        var strategy = spec.Ensure("strategy");
        strategy.Default("type", "RollingUpdate");
        if (strategy.Str("type") == "RollingUpdate")
        {
            var rollingUpdate = strategy.Ensure("rollingUpdate");
            rollingUpdate.Default("maxUnavailable", "25%");
            rollingUpdate.Default("maxSurge", "25%");
        }

        spec.Default("revisionHistoryLimit", 10);
        spec.Default("progressDeadlineSeconds", 600);
        PodDefaults.ApplyTemplate(spec.Obj("template"));
    }

    public static void ApplyReplicaSet(JsonObject replicaSet)
    {
        var spec = replicaSet.Ensure("spec");
        spec.Default("replicas", 1);
        PodDefaults.ApplyTemplate(spec.Obj("template"));
    }

    public static void ApplyReplicationController(JsonObject controller)
    {
        var spec = controller.Ensure("spec");
        var templateLabels = spec.Obj("template").Obj("metadata").Obj("labels");
        if (templateLabels is { Count: > 0 })
        {
            // The v1 API predates explicit selectors: both fall back to the template's labels.
            if (spec.Obj("selector") is not { Count: > 0 })
            {
                spec["selector"] = templateLabels.DeepClone();
            }

            var metadata = controller.Ensure("metadata");
            if (metadata.Obj("labels") is not { Count: > 0 })
            {
                metadata["labels"] = templateLabels.DeepClone();
            }
        }

        spec.Default("replicas", 1);
        PodDefaults.ApplyTemplate(spec.Obj("template"));
    }

    public static void ApplyStatefulSet(JsonObject statefulSet)
    {
        var spec = statefulSet.Ensure("spec");
        spec.Default("podManagementPolicy", "OrderedReady");
        var strategy = spec.Ensure("updateStrategy");
        if (!strategy.HasText("type"))
        {
            strategy["type"] = "RollingUpdate";
            strategy.Ensure("rollingUpdate");
        }

        // An explicit RollingUpdate without parameters stays without them, as upstream.
        if (strategy.Str("type") == "RollingUpdate" && strategy.Obj("rollingUpdate") is { } rollingUpdate)
        {
            rollingUpdate.Default("partition", 0);
        }

        var retention = spec.Ensure("persistentVolumeClaimRetentionPolicy");
        retention.Default("whenDeleted", "Retain");
        retention.Default("whenScaled", "Retain");
        spec.Default("replicas", 1);
        spec.Default("revisionHistoryLimit", 10);
        PodDefaults.ApplyTemplate(spec.Obj("template"));
        foreach (var claim in spec.Arr("volumeClaimTemplates").Objects())
        {
            CoreDefaults.ApplyPersistentVolumeClaim(claim);
        }
    }

    public static void ApplyDaemonSet(JsonObject daemonSet)
    {
        var spec = daemonSet.Ensure("spec");
        var strategy = spec.Ensure("updateStrategy");
        strategy.Default("type", "RollingUpdate");
        if (strategy.Str("type") == "RollingUpdate")
        {
            var rollingUpdate = strategy.Ensure("rollingUpdate");
            rollingUpdate.Default("maxUnavailable", 1);
            rollingUpdate.Default("maxSurge", 0);
        }

        spec.Default("revisionHistoryLimit", 10);
        PodDefaults.ApplyTemplate(spec.Obj("template"));
    }
}
