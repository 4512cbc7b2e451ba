using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Stevedore.Client.Resources;

/// <summary>Reads and writes <see cref="Unstructured"/> as one flat JSON object (metadata typed, the rest verbatim).</summary>
internal sealed class UnstructuredJsonConverter : JsonConverter<Unstructured>
{
    public override Unstructured Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader) as JsonObject ?? throw new JsonException("expected a JSON object");
        var result = new Unstructured();
        foreach (var (name, value) in node.ToArray())
        {
            switch (name)
            {
                case "apiVersion":
                    result.ApiVersion = value?.GetValue<string>() ?? "";
                    break;
                case "kind":
                    result.Kind = value?.GetValue<string>() ?? "";
                    break;
                case "metadata":
                    result.Metadata = value?.Deserialize<V1ObjectMeta>(options) ?? new V1ObjectMeta();
                    break;
                default:
                    node.Remove(name);
                    result[name] = value;
                    break;
            }
        }

        return result;
    }

    public override void Write(Utf8JsonWriter writer, Unstructured value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("apiVersion", value.ApiVersion);
        writer.WriteString("kind", value.Kind);
        writer.WritePropertyName("metadata");
        JsonSerializer.Serialize(writer, value.Metadata, options);
        foreach (var (name, field) in value.Fields ?? [])
        {
            writer.WritePropertyName(name);
            if (field is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                field.WriteTo(writer, options);
            }
        }

        writer.WriteEndObject();
    }
}
