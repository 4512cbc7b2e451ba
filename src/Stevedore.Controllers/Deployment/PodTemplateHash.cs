using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Stevedore.Controllers.Deployment;

/// <summary>
/// The pod-template-hash: FNV-32a over the template (plus the collision count as 8 little-endian
/// bytes), printed in decimal and mapped through the safe-encoding alphabet, so ReplicaSet names
/// look like upstream ("web-5d9c7f6b8"). Upstream hashes Go's spew dump of the struct; we hash a
/// canonical JSON (sorted keys, no null or empty values), which is stable across restarts. Identity
/// of templates never depends on the hash: <see cref="EqualIgnoreHash"/> compares the templates.
/// </summary>
public static class PodTemplateHash
{
    /// <summary>Upstream rand alphanums: no vowels, no 0/1/3 to avoid words and look-alikes.</summary>
    public const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>Hash of <paramref name="template"/> with an optional collision count.</summary>
    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        var hash = Fnv32a.Offset;
        hash = Fnv32a.Add(hash, Encoding.UTF8.GetBytes(Canonical(template)));
        if (collisionCount is { } count)
        {
            Span<byte> bytes = stackalloc byte[8];
            bytes.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)count));
            hash = Fnv32a.Add(hash, bytes);
        }

        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Maps each character to the safe alphabet by its code point (upstream SafeEncodeString).</summary>
    public static string SafeEncode(string value)
    {
        var chars = new char[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            chars[i] = SafeAlphabet[value[i] % SafeAlphabet.Length];
        }

        return new string(chars);
    }

    /// <summary>True when the templates are equal once the pod-template-hash label is ignored on both.</summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b) =>
        Canonical(a, dropHashLabel: true) == Canonical(b, dropHashLabel: true);

    /// <summary>Canonical JSON of a template: sorted keys, nulls and empty maps/lists dropped (nil == empty).</summary>
    internal static string Canonical(V1PodTemplateSpec? template, bool dropHashLabel = false)
    {
        var node = template is null ? null : JsonNode.Parse(KubernetesJson.Serialize(template));
        if (dropHashLabel && node?["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(DeploymentAnnotations.PodTemplateHashLabel);
        }

        return Normalize(node)?.ToJsonString() ?? "{}";
    }

    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var sorted = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (Normalize(value) is { } normalized)
                    {
                        sorted[key] = normalized;
                    }
                }

                return sorted.Count == 0 ? null : sorted;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Normalize(item) ?? new JsonObject());
                }

                return items.Count == 0 ? null : items;
            case null:
                return null;
            default:
                return node.DeepClone();
        }
    }
}
