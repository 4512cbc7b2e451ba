using System.Text.Json.Nodes;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Validation;

/// <summary>
/// Finds JSON fields a typed model does not declare, for <c>fieldValidation=Strict</c> (reject)
/// and <c>Warn</c> (Warning header). Maps, <c>object</c>-typed and other non-model fields are
/// free-form and not descended into.
/// </summary>
public static class UnknownFieldDetector
{
    /// <summary>
    /// Paths of unknown fields in document order, with a leading dot as upstream's field
    /// managers print them: <c>.spec.foo</c>, <c>.spec.template.spec.containers[0].bogus</c>.
    /// </summary>
    public static IReadOnlyList<string> Find(JsonNode? obj, Type modelType)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        var found = new List<string>();
        Walk(obj, modelType, "", found);
        return found;
    }

    /// <summary>The strict decoding error upstream returns: <c>strict decoding error: unknown field "spec.foo", unknown field "spec.bar"</c>.</summary>
    public static string StrictDecodingMessage(IEnumerable<string> paths) =>
        "strict decoding error: " + string.Join(", ", paths.Select(WarningText));

    /// <summary>The Warning header text upstream sends for one unknown field: <c>unknown field "spec.foo"</c>.</summary>
    public static string WarningText(string path) => $"unknown field \"{path.TrimStart('.')}\"";

    private static void Walk(JsonNode? node, Type type, string path, List<string> found)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        switch (node)
        {
            case JsonObject obj when ModelSchema.IsModel(type):
                var properties = ModelSchema.PropertiesOf(type);
                foreach (var (name, value) in obj)
                {
                    var childPath = $"{path}.{name}";
                    if (!properties.TryGetValue(name, out var property))
                    {
                        found.Add(childPath);
                        continue;
                    }

                    Walk(value, property.PropertyType, childPath, found);
                }

                break;
            case JsonArray array when ModelSchema.IsList(type) && ModelSchema.ElementType(type) is { } elementType:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], elementType, $"{path}[{i}]", found);
                }

                break;
            case JsonObject map when ModelSchema.IsMap(type) && ModelSchema.ElementType(type) is { } valueType:
                // Keys are free-form; values that are models still have a schema.
                foreach (var (key, value) in map)
                {
                    Walk(value, valueType, $"{path}[{key}]", found);
                }

                break;
        }
    }
}
