using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Registry;

/// <summary>
/// <c>POST pods/NAME/binding</c> as upstream's BindingREST: the Binding is checked on its own, then
/// the stored pod gets the node, the Binding's annotations and PodScheduled=True in one storage
/// update. Nothing else runs on the pod (no strategy, validation, managed fields or generation),
/// so a bound pod's managedFields and metadata.generation are those of its last ordinary write.
/// </summary>
public static class PodBinding
{
    /// <summary>The Binding's own checks (upstream ValidatePodBinding): target kind Node or empty, a target name.</summary>
    public static List<FieldError> Validate(JsonObject binding)
    {
        var errors = new List<FieldError>();
        var target = binding["target"] as JsonObject;
        var kind = Json.GetString(target, "kind") ?? "";
        if (kind.Length > 0 && kind != "Node")
        {
            errors.Add(FieldError.NotSupported("target.kind", kind, ["Node", "<empty>"]));
        }

        if (string.IsNullOrEmpty(Json.GetString(target, "name")))
        {
            errors.Add(FieldError.Required("target.name"));
        }

        return errors;
    }

    /// <summary>
    /// Assigns the stored <paramref name="pod"/> (changed in place) to <paramref name="nodeName"/>:
    /// refused with a conflict on <c>pods/binding</c> when the pod is being deleted or already has a node.
    /// </summary>
    public static void Assign(JsonObject pod, string podName, string nodeName, JsonObject? annotations, DateTimeOffset now)
    {
        var meta = Json.Metadata(pod);
        if (meta["deletionTimestamp"] is not null)
        {
            throw Conflict(podName, $"pod {podName} is being deleted, cannot be assigned to a host");
        }

        var spec = pod["spec"] as JsonObject;
        if (spec is null)
        {
            spec = [];
            pod["spec"] = spec;
        }

        var existing = Json.GetString(spec, "nodeName") ?? "";
        if (existing.Length > 0)
        {
            throw Conflict(podName, $"pod {podName} is already assigned to node \"{existing}\"");
        }

        spec["nodeName"] = nodeName;
        if (annotations is { Count: > 0 })
        {
            if (meta["annotations"] is not JsonObject podAnnotations)
            {
                podAnnotations = [];
                meta["annotations"] = podAnnotations;
            }

            foreach (var (key, value) in annotations)
            {
                podAnnotations[key] = value?.DeepClone();
            }
        }

        SetScheduled(pod, now);
    }

    /// <summary>
    /// PodScheduled=True as upstream's UpdatePodCondition writes it: reason, message and probe time
    /// cleared, the transition time kept only when the condition was True already.
    /// </summary>
    private static void SetScheduled(JsonObject pod, DateTimeOffset now)
    {
        if (pod["status"] is not JsonObject status)
        {
            status = [];
            pod["status"] = status;
        }

        if (status["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        var index = -1;
        for (var i = 0; i < conditions.Count; i++)
        {
            if (conditions[i] is JsonObject c && Json.GetString(c, "type") == "PodScheduled")
            {
                index = i;
                break;
            }
        }

        var old = index >= 0 ? (JsonObject)conditions[index]! : null;
        var transition = old is not null && Json.GetString(old, "status") == "True" && old["lastTransitionTime"] is { } kept
            ? kept.DeepClone()
            : ResourceRegistry.FormatTime(now);
        var scheduled = new JsonObject
        {
            ["type"] = "PodScheduled",
            ["status"] = "True",
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = transition,
        };
        if (index >= 0)
        {
            conditions[index] = scheduled;
        }
        else
        {
            conditions.Add(scheduled);
        }
    }

    private static ApiException Conflict(string podName, string detail) => ApiException.Conflict("", "pods/binding", podName, detail);
}
