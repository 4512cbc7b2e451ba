using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>Upstream batch/v1 defaults for Job and CronJob.</summary>
internal static class BatchDefaults
{
    public static void ApplyJob(JsonObject job)
    {
        var spec = job.Ensure("spec");

        // A non-parallel job may leave both unset; then both are 1.
        if (!spec.Has("completions") && !spec.Has("parallelism"))
        {
            spec["completions"] = 1;
            spec["parallelism"] = 1;
        }

        spec.Default("parallelism", 1);
        spec.Default("backoffLimit", spec.Has("backoffLimitPerIndex") ? int.MaxValue : 6);
        spec.Default("completionMode", "NonIndexed");
        spec.Default("suspend", false);
        spec.Default("podReplacementPolicy", spec.Has("podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
        spec.Default("manualSelector", false);
        foreach (var rule in spec.Obj("podFailurePolicy").Arr("rules").Objects())
        {
            foreach (var pattern in rule.Arr("onPodConditions").Objects())
            {
                pattern.Default("status", "True");
            }
        }

        CopyTemplateLabelsWhenUnlabelled(job);
        PodDefaults.ApplyTemplate(spec.Obj("template"));
    }

    /// <summary>
    /// The selector upstream generates for a job without <c>manualSelector: true</c>, which needs
    /// the uid assigned at create: selector on <c>batch.kubernetes.io/controller-uid</c>, the
    /// controller-uid and job-name labels (new and legacy keys) on the template, and the job's
    /// own labels from the template when it has none. Call after the uid is set, before validation.
    /// </summary>
    public static void ApplyGeneratedSelector(JsonObject job, string uid)
    {
        var spec = job.Ensure("spec");
        if (spec.Bool("manualSelector") == true)
        {
            return;
        }

        var name = job.Obj("metadata").Str("name") ?? "";
        var templateLabels = spec.Ensure("template").Ensure("metadata").Ensure("labels");
        templateLabels["batch.kubernetes.io/controller-uid"] = uid;
        templateLabels["batch.kubernetes.io/job-name"] = name;
        templateLabels["controller-uid"] = uid;
        templateLabels["job-name"] = name;
        if (spec.Obj("selector") is not { Count: > 0 })
        {
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
        }

        CopyTemplateLabelsWhenUnlabelled(job);
    }

    private static void CopyTemplateLabelsWhenUnlabelled(JsonObject job)
    {
        var templateLabels = job.Obj("spec").Obj("template").Obj("metadata").Obj("labels");
        var metadata = job.Ensure("metadata");
        if (templateLabels is not null && metadata.Obj("labels") is not { Count: > 0 })
        {
            metadata["labels"] = templateLabels.DeepClone();
        }
    }

    public static void ApplyCronJob(JsonObject cronJob)
    {
        var spec = cronJob.Ensure("spec");
        spec.Default("concurrencyPolicy", "Allow");
        spec.Default("suspend", false);
        spec.Default("successfulJobsHistoryLimit", 3);
        spec.Default("failedJobsHistoryLimit", 1);
        PodDefaults.ApplyTemplate(spec.Obj("jobTemplate").Obj("spec").Obj("template"));
    }
}
