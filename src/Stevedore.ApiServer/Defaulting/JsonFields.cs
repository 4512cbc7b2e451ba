using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>
/// Small readers and writers over <see cref="JsonObject"/> that treat an absent field, a JSON
/// null and (for strings) an empty string alike, the way Go's zero values behave upstream.
/// </summary>
internal static class JsonFields
{
    public static JsonObject? Obj(this JsonObject? parent, string name) => parent?[name] as JsonObject;

    public static JsonArray? Arr(this JsonObject? parent, string name) => parent?[name] as JsonArray;

    public static IEnumerable<JsonObject> Objects(this JsonArray? array) => array?.OfType<JsonObject>() ?? [];

    /// <summary>The string value, or null when absent, null or not a string.</summary>
    public static string? Str(this JsonObject? parent, string name) =>
        parent?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The integer value, or null when absent or not an integral number.</summary>
    public static long? Int(this JsonObject? parent, string name) => AsInt(parent?[name]);

    public static long? AsInt(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number &&
        long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    public static bool? Bool(this JsonObject? parent, string name) =>
        parent?[name] is JsonValue v ? v.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;

    public static bool Has(this JsonObject? parent, string name) => parent is not null && parent[name] is not null;

    /// <summary>A string field set to something other than empty.</summary>
    public static bool HasText(this JsonObject? parent, string name) => !string.IsNullOrEmpty(parent.Str(name));

    /// <summary>The child object, created when absent.</summary>
    public static JsonObject Ensure(this JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    /// <summary>Sets a field when it is absent or null (and, for a string default, empty).</summary>
    public static void Default(this JsonObject parent, string name, JsonNode value)
    {
        var current = parent[name];
        var isUnset = current is null ||
            (value.GetValueKind() == JsonValueKind.String && current is JsonValue cv && cv.GetValueKind() == JsonValueKind.String && cv.GetValue<string>().Length == 0);
        if (isUnset)
        {
            parent[name] = value;
        }
    }

    public static void Default(this JsonObject parent, string name, string value) => parent.Default(name, JsonValue.Create(value));

    public static void Default(this JsonObject parent, string name, long value) => parent.Default(name, JsonValue.Create(value));

    public static void Default(this JsonObject parent, string name, bool value) => parent.Default(name, JsonValue.Create(value));

    /// <summary>The string entries of a string map (labels, selectors); non-string values are skipped.</summary>
    public static IEnumerable<(string Key, string Value)> StringEntries(this JsonObject? map) =>
        map is null ? [] : map.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            .Select(p => (p.Key, p.Value!.GetValue<string>()));
}
