using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Stevedore.Client.Resources;

/// <summary>
/// Any Kubernetes object without a compiled model (custom resources, kinds this client does not
/// know): typed metadata for keys, selectors and caches, everything else kept as JSON.
/// Use it with an explicit <see cref="ResourceType"/>.
/// </summary>
[JsonConverter(typeof(UnstructuredJsonConverter))]
public sealed class Unstructured : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Every other top-level field (spec, status, data, ...).</summary>
    [JsonIgnore]
    public JsonObject? Fields { get; set; }

    /// <summary>A top-level field such as "spec" or "status", or null.</summary>
    public JsonNode? this[string field]
    {
        get => Fields?[field];
        set => (Fields ??= [])[field] = value;
    }
}
