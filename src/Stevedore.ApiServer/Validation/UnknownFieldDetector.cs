using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Schema;

namespace Stevedore.ApiServer.Validation;

/// <summary>
/// Finds JSON fields a typed model does not declare, for <c>fieldValidation=Strict</c> (reject)
/// and <c>Warn</c> (Warning header). Maps, <c>object</c>-typed and other non-model fields are
/// free-form and not descended into.
/// </summary>
/// <remarks>
/// Every write's body is checked, so the walk reads the JSON bytes with the schema in hand: no tree
/// is built (a status write keeps only the status of what it sends) and no path string exists until
/// a field is unknown.
/// </remarks>
public static class UnknownFieldDetector
{
    /// <summary>
    /// Paths of unknown fields in document order, with a leading dot as upstream's field
    /// managers print them: <c>.spec.foo</c>, <c>.spec.template.spec.containers[0].bogus</c>.
    /// </summary>
    public static IReadOnlyList<string> Find(JsonNode? obj, Type modelType) =>
        obj is null ? [] : Find(Serialization.Json.Serialize(obj), modelType);

    /// <inheritdoc cref="Find(JsonNode?, Type)"/>
    /// <param name="json">The object as JSON text.</param>
    /// <exception cref="JsonException">Not JSON.</exception>
    public static IReadOnlyList<string> Find(ReadOnlySpan<byte> json, Type modelType)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read())
        {
            return [];
        }

        var walk = new Walker(json, []);
        walk.Value(ref reader, modelType);
        return walk.Found ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The strict decoding error upstream returns: <c>strict decoding error: unknown field "spec.foo", unknown field "spec.bar"</c>.</summary>
    public static string StrictDecodingMessage(IEnumerable<string> paths) =>
        "strict decoding error: " + string.Join(", ", paths.Select(WarningText));

    /// <summary>The Warning header text upstream sends for one unknown field: <c>unknown field "spec.foo"</c>.</summary>
    public static string WarningText(string path) => $"unknown field \"{path.TrimStart('.')}\"";

    /// <summary>The JSON names of a model's properties, looked up by the characters of a property name.</summary>
    private sealed class ModelProperties(Dictionary<string, Type> byName)
    {
        private readonly Dictionary<string, Type>.AlternateLookup<ReadOnlySpan<char>> _bySpan = byName.GetAlternateLookup<ReadOnlySpan<char>>();

        public bool TryGet(ReadOnlySpan<char> name, [NotNullWhen(true)] out Type? type) => _bySpan.TryGetValue(name, out type);
    }

    private static readonly ConcurrentDictionary<Type, ModelProperties> Models = new();

    private static ModelProperties PropertiesOf(Type model) =>
        Models.GetOrAdd(model, static t => new ModelProperties(
            ModelSchema.PropertiesOf(t).ToDictionary(p => p.Key, p => p.Value.PropertyType, StringComparer.Ordinal)));

    /// <summary>One step of the path to the value being walked: a property, a list index or a map key.</summary>
    private readonly record struct Step(char Kind, int Start, int Length, int Index, string? Unescaped);

    private ref struct Walker(ReadOnlySpan<byte> json, List<Step> path)
    {
        private readonly ReadOnlySpan<byte> _json = json;
        private readonly List<Step> _path = path;

        public List<string>? Found { get; private set; }

        /// <summary>Walks the value the reader is on; the reader ends on its last token.</summary>
        public void Value(ref Utf8JsonReader reader, Type type)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject when ModelSchema.IsModel(type):
                    Model(ref reader, PropertiesOf(type));
                    return;
                case JsonTokenType.StartArray when ModelSchema.IsList(type) && ModelSchema.ElementType(type) is { } elementType:
                    var index = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        _path.Add(new Step('[', 0, 0, index++, null));
                        Value(ref reader, elementType);
                        _path.RemoveAt(_path.Count - 1);
                    }

                    return;
                case JsonTokenType.StartObject when ModelSchema.IsMap(type) && ModelSchema.ElementType(type) is { } valueType:
                    // Keys are free-form; values that are models still have a schema.
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        _path.Add(NameStep('k', ref reader));
                        reader.Read();
                        Value(ref reader, valueType);
                        _path.RemoveAt(_path.Count - 1);
                    }

                    return;
                default:
                    reader.Skip();
                    return;
            }
        }

        private void Model(ref Utf8JsonReader reader, ModelProperties properties)
        {
            Span<char> buffer = stackalloc char[128];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var step = NameStep('.', ref reader);
                Type? propertyType;
                if (step.Unescaped is null && reader.ValueSpan.Length <= buffer.Length)
                {
                    var length = Encoding.UTF8.GetChars(reader.ValueSpan, buffer);
                    properties.TryGet(buffer[..length], out propertyType);
                }
                else
                {
                    properties.TryGet(reader.GetString(), out propertyType);
                }

                _path.Add(step);
                reader.Read();
                if (propertyType is null)
                {
                    (Found ??= []).Add(PathText());
                    reader.Skip();
                }
                else
                {
                    Value(ref reader, propertyType);
                }

                _path.RemoveAt(_path.Count - 1);
            }
        }

        /// <summary>The property name the reader is on, kept as a place in the bytes unless it has escapes.</summary>
        private static Step NameStep(char kind, ref Utf8JsonReader reader) => reader.ValueIsEscaped
            ? new Step(kind, 0, 0, 0, reader.GetString())
            : new Step(kind, (int)reader.TokenStartIndex + 1, reader.ValueSpan.Length, 0, null);

        private readonly string PathText()
        {
            var text = new StringBuilder();
            foreach (var step in _path)
            {
                var name = step.Unescaped ?? Encoding.UTF8.GetString(_json.Slice(step.Start, step.Length));
                _ = step.Kind switch
                {
                    '.' => text.Append('.').Append(name),
                    '[' => text.Append('[').Append(step.Index).Append(']'),
                    _ => text.Append('[').Append(name).Append(']'),
                };
            }

            return text.ToString();
        }
    }
}
