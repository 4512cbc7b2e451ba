using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cronos;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's batch/v1 rules for Job and CronJob.</summary>
internal static partial class BatchValidator
{
    private static readonly string[] CompletionModes = ["NonIndexed", "Indexed"];
    private static readonly string[] JobRestartPolicies = ["OnFailure", "Never"];
    private static readonly string[] ConcurrencyPolicies = ["Allow", "Forbid", "Replace"];
    private static readonly string[] Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
    private const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    private const int MaxParallelismForIndexedJob = 100_000;

    [GeneratedRegex(@"^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex GoDurationRegex();

    [GeneratedRegex(@"^[A-Za-z\.\-_0-9+]{1,14}$")]
    private static partial Regex TimeZonePartRegex();

    public static void ValidateJob(JsonObject job, List<FieldError> errors)
    {
        var spec = job.Obj("spec");
        ValidateJobSpec(spec, "spec", errors);
        var selector = spec.Obj("selector");
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            LabelSelectors.Validate(selector, "spec.selector", errors);
            var labels = spec.Obj("template").Obj("metadata").Obj("labels");
            if (!LabelSelectors.Matches(selector, labels))
            {
                errors.Add(FieldError.Invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
            }

            // A generated selector must be the one keyed on this job's uid.
            var uid = job.Obj("metadata").Str("uid");
            if (spec.Bool("manualSelector") != true && !string.IsNullOrEmpty(uid) && selector.Obj("matchLabels").Str(ControllerUidLabel) != uid)
            {
                errors.Add(FieldError.Invalid("spec.selector", LabelSelectors.Render(selector), "`selector` not auto-generated"));
            }
        }
    }

    private static void ValidateJobSpec(JsonObject? spec, string path, List<FieldError> errors)
    {
        foreach (var field in (string[])["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"])
        {
            if (spec.Int(field) is < 0 and var value)
            {
                errors.Add(FieldError.Invalid(path.Child(field), value, "must be greater than or equal to 0"));
            }
        }

        if (spec.Str("completionMode") is { } mode)
        {
            if (!CompletionModes.Contains(mode))
            {
                errors.Add(FieldError.NotSupported(path.Child("completionMode"), mode, CompletionModes));
            }
            else if (mode == "Indexed")
            {
                if (!spec.Has("completions"))
                {
                    errors.Add(FieldError.Required(path.Child("completions"), "when completion mode is Indexed"));
                }

                if (spec.Int("parallelism") is > MaxParallelismForIndexedJob and var parallelism)
                {
                    errors.Add(FieldError.Invalid(path.Child("parallelism"), parallelism,
                        $"must be less than or equal to {MaxParallelismForIndexedJob} when completion mode is Indexed"));
                }
            }
        }

        var template = spec.Obj("template");
        PodValidator.ValidateTemplate(template, path.Child("template"), errors);
        var restartPolicy = template.Obj("spec").Str("restartPolicy") ?? "";
        if (!JobRestartPolicies.Contains(restartPolicy))
        {
            errors.Add(FieldError.NotSupported(path.Child("template").Child("spec").Child("restartPolicy"), restartPolicy, JobRestartPolicies));
        }
    }

    public static void ValidateJobUpdate(JsonObject newJob, JsonObject oldJob, List<FieldError> errors)
    {
        var newSpec = newJob.Obj("spec");
        var oldSpec = oldJob.Obj("spec");
        Immutable.Check(newSpec?["completions"], oldSpec?["completions"], "spec.completions", errors);
        Immutable.Check(newSpec.Obj("selector"), oldSpec.Obj("selector"), "spec.selector", errors, LabelSelectors.Render(newSpec.Obj("selector")));
        Immutable.Check(newSpec?["completionMode"], oldSpec?["completionMode"], "spec.completionMode", errors);
        Immutable.Check(newSpec?["podFailurePolicy"], oldSpec?["podFailurePolicy"], "spec.podFailurePolicy", errors);
        Immutable.Check(newSpec?["backoffLimitPerIndex"], oldSpec?["backoffLimitPerIndex"], "spec.backoffLimitPerIndex", errors);

        // A suspended job that never started may still have its scheduling directives changed.
        var newTemplate = (JsonObject?)newSpec.Obj("template")?.DeepClone();
        var oldTemplate = (JsonObject?)oldSpec.Obj("template")?.DeepClone();
        var neverStarted = oldSpec.Bool("suspend") == true && !oldJob.Obj("status").Has("startTime");
        if (neverStarted && newTemplate is not null && oldTemplate is not null)
        {
            foreach (var template in (JsonObject[])[newTemplate, oldTemplate])
            {
                template.Obj("metadata")?.Remove("labels");
                template.Obj("metadata")?.Remove("annotations");
                foreach (var field in (string[])["nodeSelector", "tolerations", "affinity", "schedulingGates"])
                {
                    template.Obj("spec")?.Remove(field);
                }
            }
        }

        Immutable.Check(newTemplate, oldTemplate, "spec.template", errors, new RenderedValue("core.PodTemplateSpec{...}"));
    }

    public static void ValidateCronJob(JsonObject cronJob, JsonObject? oldCronJob, List<FieldError> errors)
    {
        var name = cronJob.Obj("metadata").Str("name") ?? "";
        // Job names get an 11 character suffix and must stay DNS-1035 labels.
        if (oldCronJob is null && name.Length > 52)
        {
            errors.Add(FieldError.Invalid("metadata.name", name, "must be no more than 52 characters"));
        }

        var spec = cronJob.Obj("spec");
        var oldSpec = oldCronJob.Obj("spec");
        var schedule = spec.Str("schedule") ?? "";
        if (schedule.Length == 0)
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }
        else
        {
            var allowTimeZoneInSchedule = oldSpec.Str("schedule")?.Contains("TZ", StringComparison.Ordinal) == true;
            ValidateSchedule(schedule, allowTimeZoneInSchedule, spec.Str("timeZone"), errors);
        }

        if (spec.Int("startingDeadlineSeconds") is < 0 and var deadline)
        {
            errors.Add(FieldError.Invalid("spec.startingDeadlineSeconds", deadline, "must be greater than or equal to 0"));
        }

        if (oldSpec is null || oldSpec.Str("timeZone") != spec.Str("timeZone"))
        {
            ValidateTimeZone(spec?["timeZone"] is null ? null : spec.Str("timeZone") ?? "", errors);
        }

        var policy = spec.Str("concurrencyPolicy") ?? "";
        if (policy.Length == 0)
        {
            errors.Add(FieldError.Required("spec.concurrencyPolicy"));
        }
        else if (!ConcurrencyPolicies.Contains(policy))
        {
            errors.Add(FieldError.NotSupported("spec.concurrencyPolicy", policy, ConcurrencyPolicies));
        }

        var jobTemplate = spec.Obj("jobTemplate");
        ObjectMetaValidator.ValidateLabels(jobTemplate.Obj("metadata").Obj("labels"), "spec.jobTemplate.metadata.labels", errors);
        ObjectMetaValidator.ValidateAnnotations(jobTemplate.Obj("metadata").Obj("annotations"), "spec.jobTemplate.metadata.annotations", errors);
        ValidateJobSpec(jobTemplate.Obj("spec"), "spec.jobTemplate.spec", errors);
        foreach (var field in (string[])["successfulJobsHistoryLimit", "failedJobsHistoryLimit"])
        {
            if (spec.Int(field) is < 0 and var limit)
            {
                errors.Add(FieldError.Invalid("spec".Child(field), limit, "must be greater than or equal to 0"));
            }
        }
    }

    /// <summary>The standard 5-field cron syntax and the @ descriptors that upstream's cron library accepts.</summary>
    public static string? ScheduleError(string schedule)
    {
        var trimmed = schedule.Trim();
        if (trimmed.StartsWith("CRON_TZ=", StringComparison.Ordinal) || trimmed.StartsWith("TZ=", StringComparison.Ordinal))
        {
            var space = trimmed.IndexOf(' ', StringComparison.Ordinal);
            trimmed = space < 0 ? "" : trimmed[(space + 1)..].Trim();
        }

        if (trimmed.StartsWith('@'))
        {
            if (trimmed.StartsWith("@every ", StringComparison.Ordinal))
            {
                var duration = trimmed["@every ".Length..].Trim();
                return GoDurationRegex().IsMatch(duration) ? null : $"failed to parse duration {trimmed}: time: invalid duration {BadValues.Quote(duration)}";
            }

            return Descriptors.Contains(trimmed) ? null : $"unrecognized descriptor: {trimmed}";
        }

        var fields = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            return $"expected exactly 5 fields, found {fields.Length}: [{string.Join(' ', fields)}]";
        }

        try
        {
            _ = CronExpression.Parse(string.Join(' ', fields), CronFormat.Standard);
            return null;
        }
        catch (CronFormatException e)
        {
            return e.Message;
        }
    }

    private static void ValidateSchedule(string schedule, bool allowTimeZoneInSchedule, string? timeZone, List<FieldError> errors)
    {
        if (ScheduleError(schedule) is { } message)
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, message));
        }

        var mentionsTimeZone = schedule.Contains("TZ", StringComparison.Ordinal);
        if (allowTimeZoneInSchedule && mentionsTimeZone && timeZone is not null)
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
        }
        else if (!allowTimeZoneInSchedule && mentionsTimeZone)
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        }
    }

    private static void ValidateTimeZone(string? timeZone, List<FieldError> errors)
    {
        const string path = "spec.timeZone";
        if (timeZone is null)
        {
            return;
        }

        if (timeZone.Length == 0)
        {
            errors.Add(FieldError.Invalid(path, timeZone, "timeZone must be nil or non-empty string"));
            return;
        }

        foreach (var part in timeZone.Split('/'))
        {
            if (part is "." or ".." || part.StartsWith('-') || !TimeZonePartRegex().IsMatch(part))
            {
                errors.Add(FieldError.Invalid(path, timeZone, $"unknown time zone {timeZone}"));
                return;
            }
        }

        if (string.Equals(timeZone, "Local", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(FieldError.Invalid(path, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
            return;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add(FieldError.Invalid(path, timeZone, $"unknown time zone {timeZone}"));
        }
    }
}
