using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// Messages whose Go types have their own JSON form (custom MarshalJSON): times, durations,
/// quantities, int-or-string, embedded raw JSON, and the apiextensions schema unions.
/// </summary>
internal static class SpecialTypes
{
    public const string Time = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTime = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
    public const string Duration = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration";
    public const string FieldsV1 = "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1";
    public const string Quantity = "k8s.io.apimachinery.pkg.api.resource.Quantity";
    public const string IntOrString = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
    public const string RawExtension = "k8s.io.apimachinery.pkg.runtime.RawExtension";
    public const string ApiExtensionsV1 = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1";
    public const string JsonRaw = ApiExtensionsV1 + ".JSON";
    public const string SchemaPropsOrArray = ApiExtensionsV1 + ".JSONSchemaPropsOrArray";
    public const string SchemaPropsOrBool = ApiExtensionsV1 + ".JSONSchemaPropsOrBool";
    public const string SchemaPropsOrStringArray = ApiExtensionsV1 + ".JSONSchemaPropsOrStringArray";
    private const string SchemaProps = ApiExtensionsV1 + ".JSONSchemaProps";

    /// <summary>Decodes a special message; <paramref name="value"/> null means "omit" (Go would write null).</summary>
    public static bool TryDecode(string messageName, ReadOnlySpan<byte> data, int depth, out JsonNode? value)
    {
        switch (messageName)
        {
            case Time or MicroTime:
                var (seconds, nanos) = (ReadVarint(data, 1), ReadVarint(data, 2));
                value = seconds == 0 && nanos == 0 ? null : JsonValue.Create(GoTime.Format((long)seconds, (int)nanos, messageName == MicroTime));
                return true;
            case Duration:
                value = JsonValue.Create(GoDuration.Format((long)ReadVarint(data, 1)));
                return true;
            case Quantity:
                var quantity = ReadString(data, 1);
                value = JsonValue.Create(quantity.Length == 0 ? "0" : quantity);
                return true;
            case IntOrString:
                value = ReadVarint(data, 1) == 1 ? JsonValue.Create(ReadString(data, 3)) : JsonValue.Create((int)ReadVarint(data, 2));
                return true;
            case RawExtension or FieldsV1 or JsonRaw:
                value = EmbeddedJson(ReadBytes(data, 1), depth);
                return true;
            case SchemaPropsOrArray:
                value = HasField(data, 2) ? RepeatedMessages(data, 2, SchemaProps, depth) : SchemaOrNull(data, 1, depth);
                return true;
            case SchemaPropsOrBool:
                value = HasField(data, 2) ? SchemaOrNull(data, 2, depth) : JsonValue.Create(ReadVarint(data, 1) != 0);
                return true;
            case SchemaPropsOrStringArray:
                value = HasField(data, 2) ? RepeatedStrings(data, 2) : SchemaOrNull(data, 1, depth);
                return true;
            default:
                value = null;
                return false;
        }
    }

    /// <summary>Writes the content of a special message for a JSON value; false if not special.</summary>
    public static bool TryEncode(string messageName, JsonNode node, ProtoWriter writer, string path)
    {
        switch (messageName)
        {
            case Time or MicroTime:
                var (seconds, nanos) = ParseTime(JsonToProtobuf.AsString(node, path), path);
                writer.WriteVarintField(1, (ulong)seconds);
                writer.WriteVarintField(2, (ulong)(messageName == MicroTime ? nanos : 0));
                return true;
            case Duration:
                try
                {
                    writer.WriteVarintField(1, (ulong)GoDuration.Parse(JsonToProtobuf.AsString(node, path)));
                }
                catch (FormatException e)
                {
                    throw new ProtobufEncodeException($"{path}: {e.Message}", e);
                }

                return true;
            case Quantity:
                writer.WriteStringField(1, node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString());
                return true;
            case IntOrString:
                var isString = node.GetValueKind() == JsonValueKind.String;
                writer.WriteVarintField(1, isString ? 1UL : 0UL);
                writer.WriteVarintField(2, isString ? 0 : (ulong)(long)JsonToProtobuf.AsInteger(node, path));
                writer.WriteStringField(3, isString ? node.GetValue<string>() : string.Empty);
                return true;
            case RawExtension or FieldsV1 or JsonRaw:
                writer.WriteBytesField(1, Json.Serialize(node));
                return true;
            case SchemaPropsOrArray:
                EncodeSchemaUnion(node, writer, path, arrayField: 2, arrayOfStrings: false);
                return true;
            case SchemaPropsOrStringArray:
                EncodeSchemaUnion(node, writer, path, arrayField: 2, arrayOfStrings: true);
                return true;
            case SchemaPropsOrBool:
                if (node.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                {
                    writer.WriteVarintField(1, node.GetValue<bool>() ? 1UL : 0UL);
                }
                else
                {
                    writer.WriteVarintField(1, 1);
                    writer.WriteBytesField(2, JsonToProtobuf.EncodeMessage(SchemaProps, node, path));
                }

                return true;
            default:
                return false;
        }
    }

    private static void EncodeSchemaUnion(JsonNode node, ProtoWriter writer, string path, int arrayField, bool arrayOfStrings)
    {
        if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is null)
                {
                    continue;
                }

                if (arrayOfStrings)
                {
                    writer.WriteStringField(arrayField, JsonToProtobuf.AsString(item, path));
                }
                else
                {
                    writer.WriteBytesField(arrayField, JsonToProtobuf.EncodeMessage(SchemaProps, item, path));
                }
            }
        }
        else
        {
            writer.WriteBytesField(1, JsonToProtobuf.EncodeMessage(SchemaProps, node, path));
        }
    }

    private static (long Seconds, int Nanos) ParseTime(string text, string path)
    {
        try
        {
            return GoTime.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ProtobufEncodeException($"{path}: invalid time \"{text}\"", e);
        }
    }

    private static JsonNode? EmbeddedJson(ReadOnlySpan<byte> raw, int depth)
    {
        if (raw.IsEmpty)
        {
            return null;
        }

        if (KubernetesProtobuf.HasMagic(raw))
        {
            return KubernetesProtobuf.DecodeToJson(raw, depth + 1);
        }

        try
        {
            var reader = new Utf8JsonReader(raw, new JsonReaderOptions { MaxDepth = 256 });
            return JsonNode.Parse(ref reader);
        }
        catch (JsonException e)
        {
            throw new ProtobufDecodeException("embedded raw object is neither JSON nor Kubernetes protobuf: " + e.Message, e);
        }
    }

    private static JsonNode? SchemaOrNull(ReadOnlySpan<byte> data, int field, int depth) =>
        HasField(data, field) ? ProtobufToJson.DecodeMessageValue(SchemaProps, ReadBytes(data, field), depth + 1) : null;

    private static JsonArray RepeatedMessages(ReadOnlySpan<byte> data, int field, string messageName, int depth)
    {
        var array = new JsonArray();
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (number == field && wire == WireType.LengthDelimited)
            {
                array.Add(ProtobufToJson.DecodeMessageValue(messageName, reader.ReadLengthDelimited(), depth + 1));
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return array;
    }

    private static JsonArray RepeatedStrings(ReadOnlySpan<byte> data, int field)
    {
        var array = new JsonArray();
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (number == field && wire == WireType.LengthDelimited)
            {
                array.Add(Encoding.UTF8.GetString(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return array;
    }

    private static bool HasField(ReadOnlySpan<byte> data, int field)
    {
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (number == field)
            {
                return true;
            }

            reader.Skip(wire);
        }

        return false;
    }

    /// <summary>The last varint value of a field (protobuf: last one wins), 0 when absent.</summary>
    private static ulong ReadVarint(ReadOnlySpan<byte> data, int field)
    {
        ulong result = 0;
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (number == field && wire == WireType.Varint)
            {
                result = reader.ReadVarint();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return result;
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> data, int field)
    {
        var result = ReadOnlySpan<byte>.Empty;
        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (number == field && wire == WireType.LengthDelimited)
            {
                result = reader.ReadLengthDelimited();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return result;
    }

    private static string ReadString(ReadOnlySpan<byte> data, int field) => Encoding.UTF8.GetString(ReadBytes(data, field));
}
