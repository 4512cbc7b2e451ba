using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's apps/v1 and ReplicationController rules.</summary>
internal static class WorkloadValidator
{
    private static readonly string[] DeploymentStrategies = ["Recreate", "RollingUpdate"];
    private static readonly string[] DaemonSetStrategies = ["OnDelete", "RollingUpdate"];
    private static readonly string[] AlwaysOnly = ["Always"];

    public static void ValidateDeployment(JsonObject deployment, List<FieldError> errors)
    {
        var spec = deployment.Obj("spec");
        NonNegative(spec, "replicas", errors);
        ValidateSelectorAndTemplate(spec, "empty selector is invalid for deployment", errors);
        var strategy = spec.Obj("strategy");
        var type = strategy.Str("type") ?? "";
        if (!DeploymentStrategies.Contains(type))
        {
            errors.Add(type.Length == 0
                ? FieldError.Required("spec.strategy.type")
                : FieldError.NotSupported("spec.strategy.type", type, DeploymentStrategies));
        }

        var rollingUpdate = strategy.Obj("rollingUpdate");
        if (type == "Recreate" && rollingUpdate is not null)
        {
            errors.Add(FieldError.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
        }
        else if (type == "RollingUpdate" && rollingUpdate is not null)
        {
            ValidateRollingUpdate(rollingUpdate, "spec.strategy.rollingUpdate", errors);
        }

        NonNegative(spec, "revisionHistoryLimit", errors);
        NonNegative(spec, "minReadySeconds", errors);
        if (spec.Int("progressDeadlineSeconds") is { } deadline)
        {
            if (deadline < 0)
            {
                errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than or equal to 0"));
            }
            else if (deadline <= (spec.Int("minReadySeconds") ?? 0))
            {
                errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"));
            }
        }
    }

    private static void ValidateRollingUpdate(JsonObject rollingUpdate, string path, List<FieldError> errors)
    {
        var maxUnavailable = IntOrPercent(rollingUpdate["maxUnavailable"], path.Child("maxUnavailable"), errors);
        var maxSurge = IntOrPercent(rollingUpdate["maxSurge"], path.Child("maxSurge"), errors);
        if (maxUnavailable == 0 && maxSurge == 0)
        {
            errors.Add(FieldError.Invalid(path.Child("maxUnavailable"), RenderIntOrString(rollingUpdate["maxUnavailable"]), "may not be 0 when `maxSurge` is 0"));
        }

        if (rollingUpdate["maxUnavailable"] is JsonValue v && v.GetValueKind() == JsonValueKind.String && maxUnavailable > 100)
        {
            errors.Add(FieldError.Invalid(path.Child("maxUnavailable"), RenderIntOrString(rollingUpdate["maxUnavailable"]), "must not be greater than 100%"));
        }
    }

    /// <summary>Checks an int-or-percent and returns its number (percent without '%'), null when absent or invalid.</summary>
    private static long? IntOrPercent(JsonNode? value, string path, List<FieldError> errors)
    {
        switch (value?.GetValueKind())
        {
            case JsonValueKind.Number:
                var number = JsonFields.AsInt(value) ?? 0;
                if (number < 0)
                {
                    errors.Add(FieldError.Invalid(path, number, "must be greater than or equal to 0"));
                }

                return number;
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                var messages = NameRules.Percent(text);
                errors.AddRange(messages.Select(m => FieldError.Invalid(path, RenderIntOrString(value), m)));
                return messages.Count == 0 && long.TryParse(text[..^1], out var percent) ? percent : null;
            default:
                return null;
        }
    }

    /// <summary>Go's <c>%#v</c> of an <c>intstr.IntOrString</c>, which upstream prints in these errors.</summary>
    private static RenderedValue RenderIntOrString(JsonNode? value) => value?.GetValueKind() == JsonValueKind.String
        ? new RenderedValue($"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{BadValues.Quote(value.GetValue<string>())}}}")
        : new RenderedValue($"intstr.IntOrString{{Type:0, IntVal:{JsonFields.AsInt(value) ?? 0}, StrVal:\"\"}}");

    public static void ValidateReplicaSet(JsonObject replicaSet, List<FieldError> errors)
    {
        var spec = replicaSet.Obj("spec");
        NonNegative(spec, "replicas", errors);
        NonNegative(spec, "minReadySeconds", errors);
        ValidateSelectorAndTemplate(spec, "empty selector is invalid for deployment", errors);
    }

    public static void ValidateStatefulSet(JsonObject statefulSet, List<FieldError> errors)
    {
        var spec = statefulSet.Obj("spec");
        var policy = spec.Str("podManagementPolicy") ?? "";
        if (policy is not ("OrderedReady" or "Parallel"))
        {
            errors.Add(FieldError.Invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"));
        }

        var strategy = spec.Obj("updateStrategy");
        switch (strategy.Str("type") ?? "")
        {
            case "OnDelete":
                if (strategy.Has("rollingUpdate"))
                {
                    errors.Add(FieldError.Invalid("spec.updateStrategy.rollingUpdate", strategy?["rollingUpdate"], "only allowed for updateStrategy 'RollingUpdate'"));
                }

                break;
            case "RollingUpdate":
                if (strategy.Obj("rollingUpdate").Int("partition") is < 0 and var partition)
                {
                    errors.Add(FieldError.Invalid("spec.updateStrategy.rollingUpdate.partition", partition, "must be greater than or equal to 0"));
                }

                break;
            case "":
                errors.Add(FieldError.Required("spec.updateStrategy", ""));
                break;
            default:
                errors.Add(FieldError.Invalid("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'"));
                break;
        }

        NonNegative(spec, "replicas", errors);
        NonNegative(spec, "minReadySeconds", errors);
        ValidateSelectorAndTemplate(spec, "empty selector is invalid for statefulset", errors);
    }

    public static void ValidateDaemonSet(JsonObject daemonSet, List<FieldError> errors)
    {
        var spec = daemonSet.Obj("spec");
        ValidateSelectorAndTemplate(spec, "empty selector is invalid for daemonset", errors);
        var strategy = spec.Obj("updateStrategy");
        var type = strategy.Str("type") ?? "";
        if (type.Length == 0)
        {
            errors.Add(FieldError.Required("spec.updateStrategy.type"));
        }
        else if (!DaemonSetStrategies.Contains(type))
        {
            errors.Add(FieldError.NotSupported("spec.updateStrategy.type", type, DaemonSetStrategies));
        }
        else if (type == "RollingUpdate" && strategy.Obj("rollingUpdate") is { } rollingUpdate)
        {
            var maxUnavailable = IntOrPercent(rollingUpdate["maxUnavailable"], "spec.updateStrategy.rollingUpdate.maxUnavailable", errors);
            var maxSurge = IntOrPercent(rollingUpdate["maxSurge"], "spec.updateStrategy.rollingUpdate.maxSurge", errors);
            if ((maxUnavailable ?? 0) == 0 && (maxSurge ?? 0) == 0)
            {
                errors.Add(FieldError.Invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", RenderIntOrString(rollingUpdate["maxUnavailable"]), "may not be 0 when `maxSurge` is 0"));
            }
        }

        NonNegative(spec, "minReadySeconds", errors);
        NonNegative(spec, "revisionHistoryLimit", errors);
    }

    public static void ValidateReplicationController(JsonObject controller, List<FieldError> errors)
    {
        var spec = controller.Obj("spec");
        NonNegative(spec, "replicas", errors);
        NonNegative(spec, "minReadySeconds", errors);
        var selector = spec.Obj("selector");
        if (selector is not { Count: > 0 })
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            ObjectMetaValidator.ValidateLabels(selector, "spec.selector", errors);
        }

        var template = spec.Obj("template");
        if (template is null)
        {
            errors.Add(FieldError.Required("spec.template"));
            return;
        }

        var labels = template.Obj("metadata").Obj("labels");
        if (selector is { Count: > 0 } && !selector.StringEntries().All(e => labels.Str(e.Key) == e.Value))
        {
            errors.Add(FieldError.Invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
        }

        ValidateTemplateForControllers(template, "spec.template", errors);
    }

    /// <summary>Selector required, valid and non-empty; template labels must match it; template must restart Always.</summary>
    private static void ValidateSelectorAndTemplate(JsonObject? spec, string emptySelectorMessage, List<FieldError> errors)
    {
        var selector = spec.Obj("selector");
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else
        {
            LabelSelectors.Validate(selector, "spec.selector", errors);
            if (LabelSelectors.IsEmpty(selector))
            {
                errors.Add(FieldError.Invalid("spec.selector", LabelSelectors.Render(selector), emptySelectorMessage));
            }
        }

        var template = spec.Obj("template");
        if (template is null)
        {
            errors.Add(FieldError.Required("spec.template"));
            return;
        }

        var labels = template.Obj("metadata").Obj("labels");
        if (!LabelSelectors.IsEmpty(selector) && !LabelSelectors.Matches(selector, labels))
        {
            errors.Add(FieldError.Invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
        }

        ValidateTemplateForControllers(template, "spec.template", errors);
    }

    private static void ValidateTemplateForControllers(JsonObject template, string path, List<FieldError> errors)
    {
        PodValidator.ValidateTemplate(template, path, errors);
        var spec = template.Obj("spec");
        var restartPolicy = spec.Str("restartPolicy") ?? "";
        if (restartPolicy != "Always")
        {
            errors.Add(FieldError.NotSupported(path.Child("spec").Child("restartPolicy"), restartPolicy, AlwaysOnly));
        }

        if (spec.Int("activeDeadlineSeconds") is { } deadline)
        {
            errors.Add(FieldError.Invalid(path.Child("spec").Child("activeDeadlineSeconds"), deadline, "activeDeadlineSeconds in ReplicaSet is not Supported"));
        }
    }

    /// <summary>The selector of Deployments, ReplicaSets, StatefulSets and DaemonSets never changes.</summary>
    public static void ValidateSelectorUnchanged(JsonObject newObj, JsonObject oldObj, List<FieldError> errors)
    {
        var newSelector = newObj.Obj("spec").Obj("selector");
        Immutable.Check(newSelector, oldObj.Obj("spec").Obj("selector"), "spec.selector", errors, LabelSelectors.Render(newSelector));
    }

    /// <summary>StatefulSet updates may touch only the listed spec fields.</summary>
    public static void ValidateStatefulSetUpdate(JsonObject newObj, JsonObject oldObj, List<FieldError> errors)
    {
        string[] mutable = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];
        var newSpec = newObj.Obj("spec") ?? [];
        var oldSpec = oldObj.Obj("spec") ?? [];
        var keys = newSpec.Select(p => p.Key).Union(oldSpec.Select(p => p.Key)).Except(mutable);
        if (keys.Any(k => !JsonNode.DeepEquals(newSpec[k], oldSpec[k])))
        {
            errors.Add(FieldError.Forbidden("spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
        }
    }

    private static void NonNegative(JsonObject? spec, string field, List<FieldError> errors)
    {
        if (spec.Int(field) is < 0 and var value)
        {
            errors.Add(FieldError.Invalid("spec".Child(field), value, "must be greater than or equal to 0"));
        }
    }
}
