using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Selectors;

/// <summary>
/// The fields each kind can be selected by, as upstream registers them
/// (metadata.name and metadata.namespace everywhere, plus a few per kind).
/// </summary>
public static class SelectableFields
{
    private static readonly Dictionary<string, string[]> ByKind = new(StringComparer.Ordinal)
    {
        ["Pod"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
        ["Event"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        ["Secret"] = ["type"],
        ["Node"] = ["spec.unschedulable"],
        ["Namespace"] = ["status.phase"],
        ["ReplicaSet"] = ["status.replicas"],
        ["ReplicationController"] = ["status.replicas"],
        ["Job"] = ["status.successful"],
        ["PersistentVolumeClaim"] = [],
        ["CertificateSigningRequest"] = ["spec.signerName"],
    };

    /// <summary>The kind's own selectable fields (besides metadata.name and metadata.namespace); empty for most kinds.</summary>
    internal static string[] FieldsOf(string kind) => ByKind.TryGetValue(kind, out var fields) ? fields : [];

    public static bool IsSupported(string kind, string field) =>
        field is "metadata.name" or "metadata.namespace" || (ByKind.TryGetValue(kind, out var fields) && fields.Contains(field));

    /// <summary>Extracts the selectable field values of one object.</summary>
    public static Dictionary<string, string> Extract(string kind, JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject;
        var result = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata.name"] = meta?["name"]?.GetValue<string>() ?? "",
            ["metadata.namespace"] = meta?["namespace"]?.GetValue<string>() ?? "",
        };
        if (ByKind.TryGetValue(kind, out var fields))
        {
            foreach (var field in fields)
            {
                result[field] = ReadPath(obj, field, kind);
            }
        }

        return result;
    }

    private static string ReadPath(JsonObject obj, string path, string kind)
    {
        if (kind == "Event" && path == "source")
        {
            // upstream selects events by source component, falling back to reportingController.
            var component = obj["source"]?["component"]?.ToString();
            return string.IsNullOrEmpty(component) ? obj["reportingComponent"]?.ToString() ?? "" : component;
        }

        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        return node switch
        {
            null => DefaultFor(path),
            JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
            _ => node.ToString(),
        };
    }

    /// <summary>The value of a selectable field the object leaves out.</summary>
    internal static string DefaultFor(string path) => path is "spec.unschedulable" or "spec.hostNetwork" ? "false" : path is "status.replicas" or "status.successful" ? "0" : "";
}
