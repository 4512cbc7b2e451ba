using System.Globalization;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Patch;

/// <summary>
/// RFC 6902 JSON Patch: an array of add / remove / replace / move / copy / test operations
/// applied in order. The input document is not modified.
/// </summary>
public static class JsonPatch
{
    /// <summary>Applies <paramref name="patch"/> (a JSON array of operations) to a copy of <paramref name="document"/>.</summary>
    /// <exception cref="PatchException">The patch is malformed (BadRequest) or an operation does not apply (Unprocessable).</exception>
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw new PatchException("a JSON patch must be a JSON array of operations", PatchFailure.BadRequest);
        }

        var doc = document?.DeepClone();
        foreach (var operation in operations)
        {
            doc = ApplyOne(doc, operation as JsonObject ?? throw new PatchException("each JSON patch operation must be an object", PatchFailure.BadRequest));
        }

        return doc;
    }

    private static JsonNode? ApplyOne(JsonNode? doc, JsonObject operation)
    {
        var op = RequiredString(operation, "op");
        var path = RequiredString(operation, "path");
        var tokens = JsonPointer.Parse(path);
        switch (op)
        {
            case "add":
                return Add(doc, tokens, path, RequiredValue(operation, op), op);
            case "remove":
                return Remove(doc, tokens, path, op, out _);
            case "replace":
                {
                    var value = RequiredValue(operation, op);
                    doc = Remove(doc, tokens, path, op, out _);
                    return Add(doc, tokens, path, value, op);
                }

            case "move":
                {
                    var from = RequiredString(operation, "from");
                    var fromTokens = JsonPointer.Parse(from);
                    if (path.StartsWith(from + "/", StringComparison.Ordinal))
                    {
                        throw new PatchException($"move operation does not apply: \"from\" {from} is a proper prefix of \"path\" {path}");
                    }

                    doc = Remove(doc, fromTokens, from, op, out var moved);
                    return Add(doc, tokens, path, moved, op);
                }

            case "copy":
                {
                    var from = RequiredString(operation, "from");
                    var copied = Get(doc, JsonPointer.Parse(from), from, op);
                    return Add(doc, tokens, path, copied?.DeepClone(), op);
                }

            case "test":
                {
                    var expected = RequiredValue(operation, op);
                    var actual = Get(doc, tokens, path, op);
                    if (!JsonNode.DeepEquals(actual, expected))
                    {
                        throw new PatchException($"test operation failed: value at {path} is {Show(actual)}, expected {Show(expected)}");
                    }

                    return doc;
                }

            default:
                throw new PatchException($"unknown JSON patch operation \"{op}\"", PatchFailure.BadRequest);
        }
    }

    private static JsonNode? Add(JsonNode? doc, IReadOnlyList<string> tokens, string path, JsonNode? value, string op)
    {
        if (tokens.Count == 0)
        {
            return value;
        }

        var parent = Get(doc, tokens.Take(tokens.Count - 1).ToList(), path, op);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array:
                if (last == "-")
                {
                    array.Add(value);
                }
                else
                {
                    var index = ParseIndex(last, path, op);
                    if (index > array.Count)
                    {
                        throw new PatchException($"{op} operation does not apply: index {index} is out of bounds for the array at {path}");
                    }

                    array.Insert(index, value);
                }

                break;
            default:
                throw new PatchException($"{op} operation does not apply: the parent of {path} is not an object or array");
        }

        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, IReadOnlyList<string> tokens, string path, string op, out JsonNode? removed)
    {
        if (tokens.Count == 0)
        {
            removed = doc;
            return null;
        }

        var parent = Get(doc, tokens.Take(tokens.Count - 1).ToList(), path, op);
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject obj:
                if (!obj.TryGetPropertyValue(last, out removed))
                {
                    throw new PatchException($"{op} operation does not apply: doc is missing path: {path}");
                }

                obj.Remove(last);
                return doc;
            case JsonArray array:
                var index = last == "-" ? array.Count - 1 : ParseIndex(last, path, op);
                if (index < 0 || index >= array.Count)
                {
                    throw new PatchException($"{op} operation does not apply: index {last} is out of bounds for the array at {path}");
                }

                removed = array[index];
                array.RemoveAt(index);
                return doc;
            default:
                throw new PatchException($"{op} operation does not apply: doc is missing path: {path}");
        }
    }

    private static JsonNode? Get(JsonNode? doc, IReadOnlyList<string> tokens, string path, string op)
    {
        var current = doc;
        foreach (var token in tokens)
        {
            current = current switch
            {
                JsonObject obj when obj.TryGetPropertyValue(token, out var child) => child,
                JsonArray array when ParseIndexOrNull(token) is int i && i < array.Count => array[i],
                _ => throw new PatchException($"{op} operation does not apply: doc is missing path: {path}"),
            };
        }

        return current;
    }

    private static int ParseIndex(string token, string path, string op) =>
        ParseIndexOrNull(token) ?? throw new PatchException($"{op} operation does not apply: \"{token}\" is not a valid array index in {path}");

    // RFC 6901: an array index is "0" or digits without a leading zero.
    private static int? ParseIndexOrNull(string token) =>
        token.Length > 0 && token.All(char.IsAsciiDigit) && (token.Length == 1 || token[0] != '0')
            && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : null;

    private static string RequiredString(JsonObject operation, string member) =>
        operation.TryGetPropertyValue(member, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new PatchException($"JSON patch operation {operation.ToJsonString()} is missing the string member \"{member}\"", PatchFailure.BadRequest);

    private static JsonNode? RequiredValue(JsonObject operation, string op) =>
        operation.TryGetPropertyValue("value", out var value)
            ? value?.DeepClone()
            : throw new PatchException($"JSON patch {op} operation is missing the member \"value\"", PatchFailure.BadRequest);

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";
}
