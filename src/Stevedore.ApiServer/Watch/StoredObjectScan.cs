using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Selectors;

namespace Stevedore.ApiServer.Watch;

/// <summary>
/// What the watch cache needs of a stored object, read from its bytes in one pass without building
/// a tree: name, namespace, labels, the kind's selectable fields (as <see cref="SelectableFields.Extract"/>
/// finds them) and where <c>metadata</c> ends, so that the resourceVersion can be written into it.
/// </summary>
internal sealed class StoredObjectScan
{
    private StoredObjectScan(int metadataEnd, bool metadataIsEmpty, string? name, string? ns, Dictionary<string, string> labels, Dictionary<string, string> fields)
    {
        MetadataEnd = metadataEnd;
        MetadataIsEmpty = metadataIsEmpty;
        Name = name;
        Namespace = ns;
        Labels = labels;
        Fields = fields;
    }

    /// <summary>The offset of the <c>}</c> that closes <c>metadata</c>.</summary>
    public int MetadataEnd { get; }

    public bool MetadataIsEmpty { get; }
    public string? Name { get; }
    public string? Namespace { get; }
    public Dictionary<string, string> Labels { get; }
    public Dictionary<string, string> Fields { get; }

    /// <summary>
    /// The scan of <paramref name="json"/>; null when it is not the plain shape the cache stamps in
    /// place (no top-level <c>metadata</c> object, one given twice, or a stored resourceVersion).
    /// </summary>
    /// <exception cref="JsonException">Not JSON.</exception>
    public static StoredObjectScan? TryScan(ReadOnlySpan<byte> json, string kind)
    {
        var wanted = SelectableFields.FieldsOf(kind);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var metadataEnd = -1;
        var metadataIsEmpty = true;
        string? name = null;
        string? ns = null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, string?>? found = wanted.Length > 0 ? new(StringComparer.Ordinal) : null;
        string? sourceComponent = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject || metadataEnd >= 0)
                {
                    return null;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    metadataIsEmpty = false;
                    if (reader.ValueTextEquals("resourceVersion"u8))
                    {
                        return null;
                    }

                    if (reader.ValueTextEquals("name"u8))
                    {
                        name = ReadString(ref reader);
                    }
                    else if (reader.ValueTextEquals("namespace"u8))
                    {
                        ns = ReadString(ref reader);
                    }
                    else if (reader.ValueTextEquals("labels"u8))
                    {
                        ReadLabels(ref reader, labels);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                metadataEnd = (int)reader.TokenStartIndex;
                continue;
            }

            if (found is null)
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            var top = reader.GetString()!;
            reader.Read();
            if (kind == "Event" && top == "source")
            {
                // Selected by source.component, else reportingComponent (below).
                sourceComponent = reader.TokenType == JsonTokenType.StartObject ? ReadMember(ref reader, json, "component") : Skipped(ref reader);
            }
            else if (Array.IndexOf(wanted, top) >= 0)
            {
                found[top] = Scalar(ref reader, json);
            }
            else if (reader.TokenType == JsonTokenType.StartObject && Array.Exists(wanted, w => w.Length > top.Length && w[top.Length] == '.' && w.StartsWith(top, StringComparison.Ordinal)))
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var path = top + "." + reader.GetString();
                    reader.Read();
                    if (Array.IndexOf(wanted, path) >= 0)
                    {
                        found[path] = Scalar(ref reader, json);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (metadataEnd < 0)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["metadata.name"] = name ?? "",
            ["metadata.namespace"] = ns ?? "",
        };
        foreach (var field in wanted)
        {
            if (kind == "Event" && field == "source")
            {
                fields[field] = !string.IsNullOrEmpty(sourceComponent) ? sourceComponent : found!.GetValueOrDefault("reportingComponent") ?? "";
                continue;
            }

            fields[field] = found!.GetValueOrDefault(field) ?? SelectableFields.DefaultFor(field);
        }

        return new StoredObjectScan(metadataEnd, metadataIsEmpty, name, ns, labels, fields);
    }

    /// <summary>A string member's value; null (and the value skipped) for anything else.</summary>
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary>The string entries of a labels map, as <see cref="Serialization.Json.StringMap"/> keeps them.</summary>
    private static void ReadLabels(ref Utf8JsonReader reader, Dictionary<string, string> labels)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                labels[key] = reader.GetString()!;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>One member of the object the reader is on (its value as <see cref="Scalar"/>), the rest skipped.</summary>
    private static string? ReadMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string member)
    {
        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMember = reader.ValueTextEquals(member);
            reader.Read();
            if (isMember)
            {
                value = Scalar(ref reader, json);
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    private static string? Skipped(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    /// <summary>A value as the field selectors compare it (JSON null: absent); the reader ends on its last token.</summary>
    private static string? Scalar(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                // An object or list where a scalar belongs: its JSON text, as a node prints it.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return JsonNode.Parse(json[start..(int)reader.BytesConsumed])!.ToString();
        }
    }
}
