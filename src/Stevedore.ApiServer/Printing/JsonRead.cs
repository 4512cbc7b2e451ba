using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>
/// Forgiving readers over untyped API objects: a missing or mistyped field reads as absent,
/// because a printer must never fail a <c>kubectl get</c> over one odd object.
/// </summary>
internal static class JsonRead
{
    public static JsonNode? At(this JsonNode? node, params ReadOnlySpan<string> path)
    {
        foreach (var name in path)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
            {
                return null;
            }
        }
        return node;
    }

    public static JsonObject? Obj(this JsonNode? node, params ReadOnlySpan<string> path) => node.At(path) as JsonObject;

    public static JsonArray? Arr(this JsonNode? node, params ReadOnlySpan<string> path) => node.At(path) as JsonArray;

    /// <summary>Items of an array field; empty when absent.</summary>
    public static IEnumerable<JsonObject> Items(this JsonNode? node, params ReadOnlySpan<string> path) =>
        node.Arr(path)?.OfType<JsonObject>() ?? [];

    public static int Count(this JsonNode? node, params ReadOnlySpan<string> path) => node.At(path) switch
    {
        JsonArray a => a.Count,
        JsonObject o => o.Count,
        _ => 0,
    };

    public static string? Str(this JsonNode? node, params ReadOnlySpan<string> path) =>
        node.At(path) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The string, or "" when absent (Go's zero value).</summary>
    public static string S(this JsonNode? node, params ReadOnlySpan<string> path) => node.Str(path) ?? "";

    public static long? Long(this JsonNode? node, params ReadOnlySpan<string> path)
    {
        if (node.At(path) is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }
        var text = v.ToJsonString();
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? (long)d : null;
    }

    /// <summary>The integer, or 0 when absent (Go's zero value).</summary>
    public static long L(this JsonNode? node, params ReadOnlySpan<string> path) => node.Long(path) ?? 0;

    public static bool? Bool(this JsonNode? node, params ReadOnlySpan<string> path) => node.At(path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        _ => null,
    };

    public static DateTimeOffset? Time(this JsonNode? node, params ReadOnlySpan<string> path) =>
        node.Str(path) is { Length: > 0 } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : null;

    /// <summary>An IntOrString field as text ("1", "50%"), or null when absent.</summary>
    public static string? IntOrString(this JsonNode? node, params ReadOnlySpan<string> path) => node.At(path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    /// <summary>String-to-string map entries (labels, selectors), ordinal order of keys.</summary>
    public static IEnumerable<KeyValuePair<string, string>> StringMap(this JsonNode? node, params ReadOnlySpan<string> path) =>
        node.Obj(path) is { } map
            ? map.Select(p => KeyValuePair.Create(p.Key, p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : ""))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
            : [];
}
