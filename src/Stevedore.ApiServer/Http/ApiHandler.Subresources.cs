using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Http;

public sealed partial class ApiHandler
{
    private async Task HandleSubresourceAsync(HttpContext context, ApiResource resource, RequestInfo info, UserInfo user, CancellationToken ct)
    {
        var method = context.Request.Method;
        switch (info.Subresource, method)
        {
            // A CertificateSigningRequest's /approval reads like /status: the whole object, of which a write keeps only the conditions.
            case ("status" or "approval", "GET"):
                await GetAsync(context, resource, info, ct);
                return;
            case ("status" or "approval", "PUT"):
                await ReplaceAsync(context, resource, info, user, info.Subresource, ct);
                return;
            case ("status" or "approval", "PATCH"):
                await PatchAsync(context, resource, info, user, info.Subresource, ct);
                return;
            case ("scale", "GET"):
                await WriteJsonAsync(context, 200, ScaleOf(resource, await _registry.GetAsync(resource, info.Namespace, info.Name!, ct)));
                return;
            case ("scale", "PUT" or "PATCH"):
                await UpdateScaleAsync(context, resource, info, ct);
                return;
            case ("binding", "POST"):
                await BindAsync(context, resource, info, ct);
                return;
            case ("eviction", "POST"):
                await EvictAsync(context, resource, info, ct);
                return;
            case ("finalize", "PUT"):
                await FinalizeNamespaceAsync(context, resource, info, ct);
                return;
            case ("token", "POST"):
                await CreateTokenAsync(context, resource, info, ct);
                return;
            case ("log", "GET") when resource.Plural == "pods":
                await PodLogAsync(context, resource, info, ct);
                return;
            case ("exec" or "attach" or "portforward", "GET" or "POST") when resource.Plural == "pods":
                await PodStreamAsync(context, resource, info, ct);
                return;
            case ("status" or "approval" or "scale" or "binding" or "eviction" or "finalize" or "log" or "exec" or "attach" or "portforward" or "token", _):
                throw ApiException.MethodNotAllowed();
            default:
                throw new ApiException(404, "NotFound", $"the server could not find the requested resource ({method} {resource.Plural}/{info.Subresource}); it is not served yet");
        }
    }

    /// <summary>The autoscaling/v1 Scale view of a scalable object.</summary>
    private static JsonObject ScaleOf(ApiResource resource, JsonObject obj)
    {
        var meta = Json.Metadata(obj);
        var selector = obj["spec"]?["selector"];
        string selectorText = selector switch
        {
            JsonObject s when s["matchLabels"] is JsonObject || s["matchExpressions"] is JsonArray => LabelSelectorText(s),
            JsonObject s when resource.Kind == "ReplicationController" => string.Join(",", s.Select(kv => $"{kv.Key}={kv.Value}")),
            _ => "",
        };
        var status = new JsonObject { ["replicas"] = obj["status"]?["replicas"]?.GetValue<int>() ?? 0 };
        if (selectorText.Length > 0)
        {
            status["selector"] = selectorText;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = meta["name"]?.DeepClone(),
                ["namespace"] = meta["namespace"]?.DeepClone(),
                ["uid"] = meta["uid"]?.DeepClone(),
                ["resourceVersion"] = meta["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = meta["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.GetValue<int>() ?? 1 },
            ["status"] = status,
        };
    }

    private static string LabelSelectorText(JsonObject selector)
    {
        var parts = new List<string>();
        if (selector["matchLabels"] is JsonObject labels)
        {
            parts.AddRange(labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        }

        if (selector["matchExpressions"] is JsonArray expressions)
        {
            foreach (var e in expressions.OfType<JsonObject>())
            {
                var key = e["key"]?.ToString();
                var values = (e["values"] as JsonArray ?? []).Select(v => v?.ToString()).ToList();
                parts.Add(e["operator"]?.ToString() switch
                {
                    "In" => $"{key} in ({string.Join(",", values)})",
                    "NotIn" => $"{key} notin ({string.Join(",", values)})",
                    "Exists" => key!,
                    _ => "!" + key,
                });
            }
        }

        return string.Join(",", parts);
    }

    private async Task UpdateScaleAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(context.Request, ct);
        var mediaType = RequestBody.MediaType(context.Request);
        var options = WriteOptionsFor(context, "scale", "scale");
        var updated = await _registry.UpdateAsync(resource, info.Namespace, info.Name!, current =>
        {
            var scale = ScaleOf(resource, current);
            JsonObject desiredScale;
            if (context.Request.Method == "PUT")
            {
                desiredScale = RequestBody.DecodeObject(body, mediaType);
                var rv = desiredScale["metadata"]?["resourceVersion"]?.ToString();
                if (!string.IsNullOrEmpty(rv) && rv != current["metadata"]?["resourceVersion"]?.ToString())
                {
                    throw ApiException.StaleUpdate(resource.Group, resource.Plural, info.Name!);
                }
            }
            else
            {
                desiredScale = mediaType == ApplyPatchType
                    ? MergeApplied(scale, RequestBody.DecodeObject(body, "application/yaml"))
                    : _registry.Patches.Patch(mediaType, scale, RequestBody.Decode(body, "application/json"), resource);
            }

            if (desiredScale["spec"]?["replicas"] is not JsonValue replicasValue || !replicasValue.TryGetValue<int>(out var replicas))
            {
                throw ApiException.Invalid("Scale.autoscaling", "Scale", "autoscaling", info.Name!, [new StatusCause("FieldValueRequired", "Required value", "spec.replicas")]);
            }

            if (replicas < 0)
            {
                throw ApiException.Invalid("Scale.autoscaling", "Scale", "autoscaling", info.Name!,
                    [new StatusCause("FieldValueInvalid", $"Invalid value: {replicas}: must be greater than or equal to 0", "spec.replicas")]);
            }

            var spec = current["spec"] as JsonObject ?? [];
            spec["replicas"] = replicas;
            current["spec"] = spec;
            Json.Metadata(current).Remove("resourceVersion");
            return current;
        }, options, "Update", ct);
        await WriteJsonAsync(context, 200, ScaleOf(resource, updated));
    }

    private static JsonObject MergeApplied(JsonObject scale, JsonObject applied)
    {
        if (applied["spec"]?["replicas"] is { } replicas)
        {
            scale["spec"] = new JsonObject { ["replicas"] = replicas.DeepClone() };
        }

        return scale;
    }

    /// <summary>
    /// <c>POST pods/NAME/binding</c>, as upstream's BindingREST: the node, the Binding's annotations and
    /// PodScheduled=True written straight to the stored pod (<see cref="PodBinding"/>), which keeps its
    /// managedFields and generation.
    /// </summary>
    private async Task BindAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var binding = await ReadObjectAsync(context, ct);
        var options = WriteOptionsFor(context, "binding", "binding");
        var bindingName = Json.GetString(binding["metadata"] as JsonObject, "name") ?? "";
        if (bindingName != info.Name)
        {
            throw ApiException.BadRequest("name in URL does not match name in Binding object");
        }

        if (Json.GetString(binding["metadata"] as JsonObject, "namespace") is { Length: > 0 } bindingNamespace && bindingNamespace != info.Namespace)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var errors = PodBinding.Validate(binding);
        if (errors.Count > 0)
        {
            throw ApiException.Invalid("Binding", "Binding", "", info.Name!, [.. errors.Select(e => new StatusCause(e.Reason, e.Message, e.Field))]);
        }

        var nodeName = Json.GetString((JsonObject)binding["target"]!, "name")!;
        var annotations = binding["metadata"]?["annotations"] as JsonObject;
        await _registry.GuaranteedUpdateAsync(resource, info.Namespace, info.Name!,
            pod => PodBinding.Assign(pod, info.Name!, nodeName, annotations, options.Now), options.DryRun, ct);
        await WriteJsonAsync(context, 201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 });
    }

    private async Task EvictAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var eviction = await ReadObjectAsync(context, ct);
        var deleteOptions = eviction["deleteOptions"] as JsonObject;
        long? grace = deleteOptions?["gracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var gs) ? gs : null;
        var options = new DeleteOptions(grace, null, deleteOptions?["preconditions"]?["uid"]?.ToString(),
            deleteOptions?["preconditions"]?["resourceVersion"]?.ToString(), deleteOptions?["dryRun"] is JsonArray { Count: > 0 });
        await _registry.DeleteAsync(resource, info.Namespace, info.Name!, options, Now, ct);
        await WriteJsonAsync(context, 201, new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201 });
    }

    /// <summary><c>PUT namespaces/x/finalize</c>: only spec.finalizers changes; the last one gone lets a terminating namespace go.</summary>
    private async Task FinalizeNamespaceAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var desired = await ReadObjectAsync(context, ct);
        var options = WriteOptionsFor(context, "finalize", "finalize");
        var finalizers = desired["spec"]?["finalizers"]?.DeepClone();
        var updated = await _registry.UpdateAsync(resource, null, info.Name!, ns =>
        {
            var spec = ns["spec"] as JsonObject ?? [];
            if (finalizers is null)
            {
                spec.Remove("finalizers");
            }
            else
            {
                spec["finalizers"] = finalizers.DeepClone();
            }

            ns["spec"] = spec;
            return ns;
        }, options with { Subresource = "finalize" }, "Update", ct);
        // A terminating namespace whose last finalizer this removes leaves the store inside the update
        // (ResourceStrategies.ShouldDeleteDuringUpdate); the answer is its last state, as upstream.
        await WriteJsonAsync(context, 200, updated);
    }

    internal static string FormatRevision(long revision) => revision.ToString(CultureInfo.InvariantCulture);
}
