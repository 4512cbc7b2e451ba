using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's pod spec rules (<c>ValidatePodSpec</c>, containers, volumes, probes) and pod update rules.</summary>
internal static class PodValidator
{
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] DnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] ProbeHandlers = ["exec", "httpGet", "tcpSocket", "grpc"];
    private static readonly string[] TolerationOperators = ["Equal", "Exists"];
    private static readonly string[] TaintEffects = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

    private const string UpdatableFields =
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
        "`spec.tolerations` (only additions to existing tolerations)," +
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public static void ValidatePod(JsonObject pod, List<FieldError> errors) =>
        ValidatePodSpec(pod.Obj("spec"), "spec", errors);

    /// <summary>A pod template: its labels and annotations (at <c>template.labels</c>, as upstream) and its spec.</summary>
    public static void ValidateTemplate(JsonObject? template, string path, List<FieldError> errors)
    {
        if (template is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        var meta = template.Obj("metadata");
        ObjectMetaValidator.ValidateLabels(meta.Obj("labels"), path.Child("labels"), errors);
        ObjectMetaValidator.ValidateAnnotations(meta.Obj("annotations"), path.Child("annotations"), errors);
        ValidatePodSpec(template.Obj("spec"), path.Child("spec"), errors);
    }

    public static void ValidatePodSpec(JsonObject? spec, string path, List<FieldError> errors)
    {
        var volumeNames = ValidateVolumes(spec.Arr("volumes"), path.Child("volumes"), errors);
        var containerNames = new HashSet<string>(StringComparer.Ordinal);
        if (spec.Arr("containers") is not { Count: > 0 })
        {
            errors.Add(FieldError.Required(path.Child("containers")));
        }

        ValidateContainers(spec.Arr("initContainers"), path.Child("initContainers"), volumeNames, containerNames, isInit: true, errors);
        ValidateContainers(spec.Arr("containers"), path.Child("containers"), volumeNames, containerNames, isInit: false, errors);

        var restartPolicy = spec.Str("restartPolicy") ?? "";
        if (restartPolicy.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("restartPolicy")));
        }
        else if (!RestartPolicies.Contains(restartPolicy))
        {
            errors.Add(FieldError.NotSupported(path.Child("restartPolicy"), restartPolicy, RestartPolicies));
        }

        var dnsPolicy = spec.Str("dnsPolicy") ?? "";
        if (dnsPolicy.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("dnsPolicy")));
        }
        else if (!DnsPolicies.Contains(dnsPolicy))
        {
            errors.Add(FieldError.NotSupported(path.Child("dnsPolicy"), dnsPolicy, DnsPolicies));
        }

        if (spec.Int("activeDeadlineSeconds") is { } deadline && deadline is < 1 or > int.MaxValue)
        {
            errors.Add(FieldError.Invalid(path.Child("activeDeadlineSeconds"), deadline, NameRules.InclusiveRange(1, int.MaxValue)));
        }

        ObjectMetaValidator.ValidateLabels(spec.Obj("nodeSelector"), path.Child("nodeSelector"), errors);
        if (spec.Str("serviceAccountName") is { Length: > 0 } account)
        {
            errors.AddRange(NameRules.Dns1123Subdomain(account).Select(m => FieldError.Invalid(path.Child("serviceAccountName"), account, m)));
        }

        foreach (var field in (string[])["hostname", "subdomain"])
        {
            if (spec.Str(field) is { Length: > 0 } value)
            {
                errors.AddRange(NameRules.Dns1123Label(value).Select(m => FieldError.Invalid(path.Child(field), value, m)));
            }
        }

        ValidateTolerations(spec.Arr("tolerations"), path.Child("tolerations"), errors);
    }

    private static HashSet<string> ValidateVolumes(JsonArray? volumes, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var volume in volumes.Objects())
        {
            var at = path.Index(index++);
            var name = volume.Str("name") ?? "";
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("name")));
            }
            else
            {
                errors.AddRange(NameRules.Dns1123Label(name).Select(m => FieldError.Invalid(at.Child("name"), name, m)));
                if (!names.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at.Child("name"), name));
                }
            }

            var sources = volume.Where(p => p.Key != "name" && p.Value is not null).Select(p => p.Key).ToList();
            if (sources.Count == 0)
            {
                errors.Add(FieldError.Required(at, "must specify a volume type"));
            }

            foreach (var extra in sources.Skip(1))
            {
                errors.Add(FieldError.Forbidden(at.Child(extra), "may not specify more than 1 volume type"));
            }

            ValidateVolumeSource(volume, at, errors);
        }

        return names;
    }

    private static void ValidateVolumeSource(JsonObject volume, string path, List<FieldError> errors)
    {
        if (volume.Obj("configMap") is { } configMap && !configMap.HasText("name"))
        {
            errors.Add(FieldError.Required(path.Child("configMap").Child("name")));
        }

        if (volume.Obj("secret") is { } secret && !secret.HasText("secretName"))
        {
            errors.Add(FieldError.Required(path.Child("secret").Child("secretName")));
        }

        if (volume.Obj("hostPath") is { } hostPath && !hostPath.HasText("path"))
        {
            errors.Add(FieldError.Required(path.Child("hostPath").Child("path")));
        }

        if (volume.Obj("persistentVolumeClaim") is { } claim && !claim.HasText("claimName"))
        {
            errors.Add(FieldError.Required(path.Child("persistentVolumeClaim").Child("claimName")));
        }

        foreach (var source in (string[])["configMap", "secret", "downwardAPI", "projected"])
        {
            if (volume.Obj(source).Int("defaultMode") is { } mode && mode is < 0 or > 511)
            {
                errors.Add(FieldError.Invalid(path.Child(source).Child("defaultMode"), mode, "must be a number between 0 and 0777 (octal), both inclusive"));
            }
        }
    }

    private static void ValidateContainers(JsonArray? containers, string path, HashSet<string> volumeNames,
        HashSet<string> containerNames, bool isInit, List<FieldError> errors)
    {
        var index = 0;
        foreach (var container in containers.Objects())
        {
            var at = path.Index(index++);
            var name = container.Str("name") ?? "";
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("name")));
            }
            else
            {
                errors.AddRange(NameRules.Dns1123Label(name).Select(m => FieldError.Invalid(at.Child("name"), name, m)));
                if (!containerNames.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at.Child("name"), name));
                }
            }

            if (!container.HasText("image"))
            {
                errors.Add(FieldError.Required(at.Child("image")));
            }

            var pullPolicy = container.Str("imagePullPolicy") ?? "";
            if (pullPolicy.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("imagePullPolicy")));
            }
            else if (!PullPolicies.Contains(pullPolicy))
            {
                errors.Add(FieldError.NotSupported(at.Child("imagePullPolicy"), pullPolicy, PullPolicies));
            }

            var messagePolicy = container.Str("terminationMessagePolicy") ?? "";
            if (messagePolicy.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("terminationMessagePolicy"), "must be 'File' or 'FallbackToLogsOnError'"));
            }
            else if (messagePolicy is not ("File" or "FallbackToLogsOnError"))
            {
                errors.Add(FieldError.Invalid(at.Child("terminationMessagePolicy"), messagePolicy, "must be 'File' or 'FallbackToLogsOnError'"));
            }

            ValidatePorts(container.Arr("ports"), at.Child("ports"), errors);
            ValidateEnv(container.Arr("env"), at.Child("env"), errors);
            ValidateVolumeMounts(container.Arr("volumeMounts"), at.Child("volumeMounts"), volumeNames, errors);
            ValidateResources(container.Obj("resources"), at.Child("resources"), errors);

            var isSidecar = isInit && container.Str("restartPolicy") == "Always";
            foreach (var probeName in (string[])["livenessProbe", "readinessProbe", "startupProbe"])
            {
                if (container.Obj(probeName) is not { } probe)
                {
                    continue;
                }

                if (isInit && !isSidecar)
                {
                    errors.Add(FieldError.Forbidden(at.Child(probeName), "may not be set for init containers without restartPolicy=Always"));
                    continue;
                }

                ValidateProbe(probe, at.Child(probeName), mustSucceedOnce: probeName != "readinessProbe", errors);
            }
        }
    }

    private static void ValidatePorts(JsonArray? ports, string path, List<FieldError> errors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var port in ports.Objects())
        {
            var at = path.Index(index++);
            if (port.Str("name") is { Length: > 0 } name)
            {
                var messages = NameRules.PortName(name);
                errors.AddRange(messages.Select(m => FieldError.Invalid(at.Child("name"), name, m)));
                if (messages.Count == 0 && !names.Add(name))
                {
                    errors.Add(FieldError.Duplicate(at.Child("name"), name));
                }
            }

            var containerPort = port.Int("containerPort") ?? 0;
            if (containerPort == 0)
            {
                errors.Add(FieldError.Required(at.Child("containerPort")));
            }
            else
            {
                errors.AddRange(NameRules.PortNumber(containerPort).Select(m => FieldError.Invalid(at.Child("containerPort"), containerPort, m)));
            }

            if (port.Int("hostPort") is { } hostPort and not 0)
            {
                errors.AddRange(NameRules.PortNumber(hostPort).Select(m => FieldError.Invalid(at.Child("hostPort"), hostPort, m)));
            }

            ValidateProtocol(port, at, errors);
        }
    }

    /// <summary>The <c>protocol</c> of a container or service port: required, one of SCTP, TCP, UDP.</summary>
    public static void ValidateProtocol(JsonObject port, string path, List<FieldError> errors)
    {
        var protocol = port.Str("protocol") ?? "";
        if (protocol.Length == 0)
        {
            errors.Add(FieldError.Required(path.Child("protocol")));
        }
        else if (!Protocols.Contains(protocol))
        {
            errors.Add(FieldError.NotSupported(path.Child("protocol"), protocol, Protocols));
        }
    }

    private static void ValidateEnv(JsonArray? env, string path, List<FieldError> errors)
    {
        var index = 0;
        foreach (var variable in env.Objects())
        {
            var at = path.Index(index++);
            if (!variable.HasText("name"))
            {
                errors.Add(FieldError.Required(at.Child("name")));
            }

            if (variable.Obj("valueFrom") is { } valueFrom)
            {
                var sources = valueFrom.Count(p => p.Value is not null);
                if (sources == 0)
                {
                    errors.Add(FieldError.Invalid(at.Child("valueFrom"), "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
                }
                else if (sources > 1)
                {
                    errors.Add(FieldError.Invalid(at, "", "may not have more than one field specified at a time"));
                }

                if (variable.HasText("value"))
                {
                    errors.Add(FieldError.Invalid(at.Child("valueFrom"), "", "may not be specified when `value` is not empty"));
                }
            }
        }
    }

    private static void ValidateVolumeMounts(JsonArray? mounts, string path, HashSet<string> volumeNames, List<FieldError> errors)
    {
        var mountPaths = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var mount in mounts.Objects())
        {
            var at = path.Index(index++);
            var name = mount.Str("name") ?? "";
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("name")));
            }
            else if (!volumeNames.Contains(name))
            {
                errors.Add(FieldError.NotFound(at.Child("name"), name));
            }

            var mountPath = mount.Str("mountPath") ?? "";
            if (mountPath.Length == 0)
            {
                errors.Add(FieldError.Required(at.Child("mountPath")));
            }
            else if (!mountPaths.Add(mountPath))
            {
                errors.Add(FieldError.Invalid(at.Child("mountPath"), mountPath, "must be unique"));
            }
        }
    }

    /// <summary>Quantities parse and are non-negative; a request never exceeds its limit.</summary>
    public static void ValidateResources(JsonObject? resources, string path, List<FieldError> errors)
    {
        var limits = new Dictionary<string, k8s.Models.ResourceQuantity>(StringComparer.Ordinal);
        foreach (var (name, value) in resources.Obj("limits") ?? [])
        {
            if (CheckQuantity(value, path.Child("limits").Key(name), errors) is { } limit)
            {
                limits[name] = limit;
            }
        }

        var requestsPath = path.Child("requests");
        foreach (var (name, value) in resources.Obj("requests") ?? [])
        {
            if (CheckQuantity(value, requestsPath.Key(name), errors) is { } request &&
                limits.TryGetValue(name, out var limit) && request.ToDecimal() > limit.ToDecimal())
            {
                errors.Add(FieldError.Invalid(requestsPath, Quantities.Canonical(request),
                    $"must be less than or equal to {name} limit of {Quantities.Canonical(limit)}"));
            }
        }
    }

    private static k8s.Models.ResourceQuantity? CheckQuantity(JsonNode? value, string path, List<FieldError> errors)
    {
        if (!Quantities.TryParse(value, out var quantity))
        {
            errors.Add(FieldError.Invalid(path, value, Quantities.FormatMessage));
            return null;
        }

        if (quantity.ToDecimal() < 0)
        {
            errors.Add(FieldError.Invalid(path, Quantities.Canonical(quantity), "must be greater than or equal to 0"));
            return null;
        }

        return quantity;
    }

    private static void ValidateProbe(JsonObject probe, string path, bool mustSucceedOnce, List<FieldError> errors)
    {
        var handlers = ProbeHandlers.Where(h => probe.Has(h)).ToList();
        if (handlers.Count == 0)
        {
            errors.Add(FieldError.Required(path, "must specify a handler type"));
        }

        foreach (var extra in handlers.Skip(1))
        {
            errors.Add(FieldError.Forbidden(path.Child(extra), "may not specify more than 1 handler type"));
        }

        foreach (var field in (string[])["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"])
        {
            if (probe.Int(field) is < 0 and var value)
            {
                errors.Add(FieldError.Invalid(path.Child(field), value, "must be greater than or equal to 0"));
            }
        }

        if (mustSucceedOnce && probe.Int("successThreshold") is { } threshold && threshold != 1)
        {
            errors.Add(FieldError.Invalid(path.Child("successThreshold"), threshold, "must be 1"));
        }

        if (probe.Obj("httpGet") is { } httpGet)
        {
            ValidatePortNumberOrName(httpGet["port"], path.Child("httpGet").Child("port"), errors);
        }

        if (probe.Obj("tcpSocket") is { } tcpSocket)
        {
            ValidatePortNumberOrName(tcpSocket["port"], path.Child("tcpSocket").Child("port"), errors);
        }
    }

    /// <summary>An int-or-string port: a number in range or a valid port name.</summary>
    public static void ValidatePortNumberOrName(JsonNode? port, string path, List<FieldError> errors)
    {
        switch (port?.GetValueKind())
        {
            case JsonValueKind.Number:
                var number = JsonFields.AsInt(port) ?? 0;
                errors.AddRange(NameRules.PortNumber(number).Select(m => FieldError.Invalid(path, number, m)));
                break;
            case JsonValueKind.String:
                var name = port.GetValue<string>();
                errors.AddRange(NameRules.PortName(name).Select(m => FieldError.Invalid(path, name, m)));
                break;
            default:
                errors.Add(FieldError.Required(path));
                break;
        }
    }

    private static void ValidateTolerations(JsonArray? tolerations, string path, List<FieldError> errors)
    {
        var index = 0;
        foreach (var toleration in tolerations.Objects())
        {
            var at = path.Index(index++);
            var key = toleration.Str("key") ?? "";
            if (key.Length > 0)
            {
                errors.AddRange(NameRules.QualifiedName(key).Select(m => FieldError.Invalid(at.Child("key"), key, m)));
            }

            var op = toleration.Str("operator") ?? "";
            if (key.Length == 0 && op != "Exists")
            {
                errors.Add(FieldError.Invalid(at.Child("operator"), op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }

            if (op.Length > 0 && !TolerationOperators.Contains(op))
            {
                errors.Add(FieldError.NotSupported(at.Child("operator"), op, TolerationOperators));
            }

            if (op == "Exists" && toleration.HasText("value"))
            {
                errors.Add(FieldError.Invalid(at.Child("operator"), toleration.Str("value"), "value must be empty when `operator` is 'Exists'"));
            }

            if (toleration.Str("effect") is { Length: > 0 } effect && !TaintEffects.Contains(effect))
            {
                errors.Add(FieldError.NotSupported(at.Child("effect"), effect, TaintEffects));
            }
        }
    }

    /// <summary>
    /// Pod updates may change only images, activeDeadlineSeconds (down), tolerations (additions)
    /// and a negative terminationGracePeriodSeconds to 1; anything else in the spec is Forbidden.
    /// </summary>
    public static void ValidatePodUpdate(JsonObject newPod, JsonObject oldPod, List<FieldError> errors)
    {
        var newSpec = newPod.Obj("spec") ?? [];
        var oldSpec = oldPod.Obj("spec") ?? [];
        ValidatePodSpec(newSpec, "spec", errors);

        foreach (var list in (string[])["containers", "initContainers"])
        {
            if ((newSpec.Arr(list)?.Count ?? 0) != (oldSpec.Arr(list)?.Count ?? 0))
            {
                errors.Add(FieldError.Forbidden("spec".Child(list), "pod updates may not add or remove containers"));
                return;
            }
        }

        if (newSpec.Int("activeDeadlineSeconds") is { } newDeadline)
        {
            if (oldSpec.Int("activeDeadlineSeconds") is { } oldDeadline && oldDeadline < newDeadline)
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", newDeadline, "must be less than or equal to previous value"));
                return;
            }
        }
        else if (oldSpec.Has("activeDeadlineSeconds"))
        {
            errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
        }

        var oldTolerations = oldSpec.Arr("tolerations").Objects().ToList();
        var newTolerations = newSpec.Arr("tolerations").Objects().ToList();
        foreach (var old in oldTolerations)
        {
            // An existing toleration may only have its tolerationSeconds changed.
            var kept = newTolerations.Any(n => JsonNode.DeepEquals(WithoutSeconds(old), WithoutSeconds(n)));
            if (!kept)
            {
                errors.Add(FieldError.Forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
                break;
            }
        }

        // Take over what may change from the new spec; any remaining difference is forbidden.
        var munged = (JsonObject)oldSpec.DeepClone();
        foreach (var list in (string[])["containers", "initContainers"])
        {
            var newContainers = newSpec.Arr(list).Objects().ToList();
            var index = 0;
            foreach (var container in munged.Arr(list).Objects())
            {
                // A list that changed length is a forbidden change; ChangedFields reports it below.
                if (index < newContainers.Count)
                {
                    container["image"] = newContainers[index++]["image"]?.DeepClone();
                }
            }
        }

        munged["activeDeadlineSeconds"] = newSpec["activeDeadlineSeconds"]?.DeepClone();
        munged["tolerations"] = newSpec["tolerations"]?.DeepClone();
        if (oldSpec.Int("terminationGracePeriodSeconds") is < 0 && newSpec.Int("terminationGracePeriodSeconds") == 1)
        {
            munged["terminationGracePeriodSeconds"] = 1;
        }

        var changed = ChangedFields(munged, newSpec);
        if (changed.Count > 0)
        {
            errors.Add(FieldError.Forbidden("spec",
                $"pod updates may not change fields other than {UpdatableFields}\n  changed: {string.Join(", ", changed.Select(f => "spec." + f))}"));
        }
    }

    /// <summary>
    /// A write through <c>pods/status</c> (upstream ValidatePodStatusUpdate, for what this
    /// validator covers): the node a pod is bound to is not changed through status.
    /// </summary>
    public static void ValidatePodStatusUpdate(JsonObject newPod, JsonObject oldPod, List<FieldError> errors)
    {
        var newNode = newPod.Obj("spec")?.Str("nodeName") ?? "";
        var oldNode = oldPod.Obj("spec")?.Str("nodeName") ?? "";
        if (newNode != oldNode)
        {
            errors.Add(FieldError.Forbidden("status.nodeName", "may not be changed directly"));
        }
    }

    private static JsonObject WithoutSeconds(JsonObject toleration)
    {
        var copy = (JsonObject)toleration.DeepClone();
        copy.Remove("tolerationSeconds");
        return copy;
    }

    private static List<string> ChangedFields(JsonObject a, JsonObject b)
    {
        var keys = a.Select(p => p.Key).Union(b.Select(p => p.Key)).Order(StringComparer.Ordinal);
        return keys.Where(k => !JsonNode.DeepEquals(a[k], b[k])).ToList();
    }
}
