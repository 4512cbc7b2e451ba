using System.Text;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// Schema-driven protobuf → JSON for one message, producing the JSON Go's encoding/json would
/// write for the same Go struct: value fields hide zero values, pointer fields show them,
/// inline structs are flattened, and the apimachinery types keep their custom JSON forms.
/// </summary>
internal static class ProtobufToJson
{
    /// <summary>Nesting limit, so a hostile body cannot exhaust the stack (JSONSchemaProps recurse).</summary>
    public const int MaxDepth = 100;

    public static void DecodeInto(ProtoMessage message, ReadOnlySpan<byte> data, JsonObject target, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ProtobufDecodeException($"protobuf message nested deeper than {MaxDepth} levels");
        }

        var reader = new ProtoReader(data);
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (!message.ByNumber.TryGetValue(number, out var field))
            {
                reader.Skip(wire);
                continue;
            }

            switch (field.Label)
            {
                case ProtoFieldLabel.Inline:
                    Expect(message, field, wire, WireType.LengthDelimited);
                    DecodeInto(KubernetesProtobufSchema.Get(field.MessageName!), reader.ReadLengthDelimited(), target, depth + 1);
                    break;
                case ProtoFieldLabel.Map:
                    Expect(message, field, wire, WireType.LengthDelimited);
                    var (key, value) = ReadMapEntry(message, field, reader.ReadLengthDelimited(), depth);
                    if (target[field.JsonName] is not JsonObject map)
                    {
                        map = new JsonObject();
                        target[field.JsonName] = map;
                    }

                    map[key] = value;
                    break;
                case ProtoFieldLabel.Repeated:
                    if (target[field.JsonName] is not JsonArray array)
                    {
                        array = new JsonArray();
                        target[field.JsonName] = array;
                    }

                    if (wire == WireType.LengthDelimited && IsPackable(field.Type))
                    {
                        var packed = new ProtoReader(reader.ReadLengthDelimited());
                        while (!packed.End)
                        {
                            array.Add(ReadScalar(message, field, WireOf(field.Type), ref packed));
                        }
                    }
                    else
                    {
                        array.Add(ReadValue(message, field, wire, ref reader, depth));
                    }

                    break;
                default:
                    var single = ReadValue(message, field, wire, ref reader, depth);
                    if (single is null || (field.Label == ProtoFieldLabel.Value && IsZeroScalar(field.Type, single)))
                    {
                        target.Remove(field.JsonName);
                    }
                    else
                    {
                        target[field.JsonName] = single;
                    }

                    break;
            }
        }
    }

    /// <summary>Reads one value; null means "no JSON value" (e.g. a zero metav1.Time).</summary>
    private static JsonNode? ReadValue(ProtoMessage message, ProtoField field, WireType wire, ref ProtoReader reader, int depth)
    {
        if (field.Type != ProtoType.Message)
        {
            return ReadScalar(message, field, wire, ref reader);
        }

        Expect(message, field, wire, WireType.LengthDelimited);
        return DecodeMessageValue(field.MessageName!, reader.ReadLengthDelimited(), depth + 1);
    }

    /// <summary>A nested message as a JSON value: the special apimachinery forms or a plain object.</summary>
    public static JsonNode? DecodeMessageValue(string messageName, ReadOnlySpan<byte> data, int depth)
    {
        if (SpecialTypes.TryDecode(messageName, data, depth, out var special))
        {
            return special;
        }

        var nested = KubernetesProtobufSchema.Get(messageName);
        if (nested.IsStringSlice)
        {
            var items = new JsonObject();
            DecodeInto(nested, data, items, depth);
            return items["items"] is JsonArray list ? list.DeepClone() : new JsonArray();
        }

        var obj = new JsonObject();
        DecodeInto(nested, data, obj, depth);
        return obj;
    }

    private static (string Key, JsonNode? Value) ReadMapEntry(ProtoMessage message, ProtoField field, ReadOnlySpan<byte> entry, int depth)
    {
        var reader = new ProtoReader(entry);
        var key = string.Empty;
        JsonNode? value = null;
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (number == 1)
            {
                Expect(message, field, wire, WireType.LengthDelimited);
                key = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
            }
            else if (number == 2)
            {
                value = ReadValue(message, field, wire, ref reader, depth + 1);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        // An entry without a value carries the Go zero value of the map's value type.
        value ??= field.Type switch
        {
            ProtoType.String or ProtoType.Bytes => JsonValue.Create(string.Empty),
            ProtoType.Message => DecodeMessageValue(field.MessageName!, ReadOnlySpan<byte>.Empty, depth + 1),
            ProtoType.Bool => JsonValue.Create(false),
            _ => JsonValue.Create(0),
        };
        return (key, value);
    }

    private static JsonNode ReadScalar(ProtoMessage message, ProtoField field, WireType wire, ref ProtoReader reader)
    {
        Expect(message, field, wire, WireOf(field.Type));
        return field.Type switch
        {
            ProtoType.String => JsonValue.Create(Encoding.UTF8.GetString(reader.ReadLengthDelimited())),
            ProtoType.Bytes => JsonValue.Create(Convert.ToBase64String(reader.ReadLengthDelimited())),
            ProtoType.Bool => JsonValue.Create(reader.ReadVarint() != 0),
            ProtoType.Int32 => JsonValue.Create((int)reader.ReadVarint()),
            ProtoType.Int64 => JsonValue.Create((long)reader.ReadVarint()),
            ProtoType.UInt32 => JsonValue.Create((uint)reader.ReadVarint()),
            ProtoType.UInt64 => JsonValue.Create(reader.ReadVarint()),
            ProtoType.SInt32 => JsonValue.Create((int)ZigZag(reader.ReadVarint())),
            ProtoType.SInt64 => JsonValue.Create(ZigZag(reader.ReadVarint())),
            ProtoType.Fixed32 => JsonValue.Create(reader.ReadFixed32()),
            ProtoType.SFixed32 => JsonValue.Create((int)reader.ReadFixed32()),
            ProtoType.Fixed64 => JsonValue.Create(reader.ReadFixed64()),
            ProtoType.SFixed64 => JsonValue.Create((long)reader.ReadFixed64()),
            ProtoType.Double => JsonValue.Create(BitConverter.UInt64BitsToDouble(reader.ReadFixed64())),
            ProtoType.Float => JsonValue.Create(BitConverter.UInt32BitsToSingle(reader.ReadFixed32())),
            _ => throw new ProtobufDecodeException($"{message.FullName}.{field.JsonName}: unexpected message type"),
        };
    }

    private static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static bool IsPackable(ProtoType type) => type is not (ProtoType.String or ProtoType.Bytes or ProtoType.Message);

    internal static WireType WireOf(ProtoType type) => type switch
    {
        ProtoType.String or ProtoType.Bytes or ProtoType.Message => WireType.LengthDelimited,
        ProtoType.Fixed64 or ProtoType.SFixed64 or ProtoType.Double => WireType.Fixed64,
        ProtoType.Fixed32 or ProtoType.SFixed32 or ProtoType.Float => WireType.Fixed32,
        _ => WireType.Varint,
    };

    private static bool IsZeroScalar(ProtoType type, JsonNode value) => type switch
    {
        ProtoType.Message => false,
        ProtoType.String or ProtoType.Bytes => value.GetValue<string>().Length == 0,
        ProtoType.Bool => !value.GetValue<bool>(),
        _ => value.ToJsonString() is "0" or "-0",
    };

    private static void Expect(ProtoMessage message, ProtoField field, WireType actual, WireType expected)
    {
        if (actual != expected)
        {
            throw new ProtobufDecodeException(
                $"field {message.FullName}.{field.JsonName} (#{field.Number}) has wire type {actual}, expected {expected}");
        }
    }
}
