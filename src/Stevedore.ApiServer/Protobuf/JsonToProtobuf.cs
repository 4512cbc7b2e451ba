using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// Schema-driven JSON → protobuf for one message: fields in ascending number order, map keys
/// sorted, repeated scalars unpacked (proto2, as gogo writes them). JSON properties that the
/// schema does not know (apiVersion, kind, extra fields) are ignored, as Go's decoder would.
/// </summary>
internal static class JsonToProtobuf
{
    private static ReadOnlySpan<byte> NullRawJson => [0x0a, 0x04, (byte)'n', (byte)'u', (byte)'l', (byte)'l'];

    public static byte[] EncodeMessage(string messageName, JsonNode node, string path)
    {
        var writer = new ProtoWriter();
        WriteMessageContent(messageName, node, writer, path);
        return writer.ToArray();
    }

    public static void WriteFields(ProtoMessage message, JsonObject obj, ProtoWriter writer, string path)
    {
        foreach (var field in message.Fields)
        {
            var fieldPath = path + "." + field.JsonName;
            if (field.Label == ProtoFieldLabel.Inline)
            {
                // Go value struct embedded inline: gogo always writes it, from the parent's own properties.
                var inline = new ProtoWriter();
                WriteFields(KubernetesProtobufSchema.Get(field.MessageName!), obj, inline, path);
                writer.WriteBytesField(field.Number, inline.WrittenSpan);
                continue;
            }

            if (!obj.TryGetPropertyValue(field.JsonName, out var node) || node is null)
            {
                continue;
            }

            switch (field.Label)
            {
                case ProtoFieldLabel.Repeated:
                    if (node is not JsonArray array)
                    {
                        throw new ProtobufEncodeException($"{fieldPath}: expected an array");
                    }

                    for (var i = 0; i < array.Count; i++)
                    {
                        if (array[i] is { } item)
                        {
                            WriteValue(field.Number, field, item, writer, $"{fieldPath}[{i}]");
                        }
                        else if (field.MessageName is SpecialTypes.JsonRaw or SpecialTypes.RawExtension)
                        {
                            // A JSON null is a legal element of a raw-JSON list (e.g. a schema's enum).
                            writer.WriteBytesField(field.Number, NullRawJson);
                        }
                    }

                    break;
                case ProtoFieldLabel.Map:
                    if (node is not JsonObject map)
                    {
                        throw new ProtobufEncodeException($"{fieldPath}: expected an object");
                    }

                    foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        var entry = new ProtoWriter();
                        entry.WriteStringField(1, key);
                        if (value is not null)
                        {
                            WriteValue(2, field, value, entry, $"{fieldPath}[{key}]");
                        }

                        writer.WriteBytesField(field.Number, entry.WrittenSpan);
                    }

                    break;
                default:
                    WriteValue(field.Number, field, node, writer, fieldPath);
                    break;
            }
        }
    }

    private static void WriteValue(int number, ProtoField field, JsonNode node, ProtoWriter writer, string path)
    {
        switch (field.Type)
        {
            case ProtoType.Message:
                var content = new ProtoWriter();
                WriteMessageContent(field.MessageName!, node, content, path);
                writer.WriteBytesField(number, content.WrittenSpan);
                break;
            case ProtoType.String:
                writer.WriteStringField(number, AsString(node, path));
                break;
            case ProtoType.Bytes:
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(AsString(node, path));
                }
                catch (FormatException e)
                {
                    throw new ProtobufEncodeException($"{path}: expected base64 data", e);
                }

                writer.WriteBytesField(number, bytes);
                break;
            case ProtoType.Bool:
                if (node.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw new ProtobufEncodeException($"{path}: expected a boolean");
                }

                writer.WriteVarintField(number, node.GetValue<bool>() ? 1UL : 0UL);
                break;
            case ProtoType.Int32 or ProtoType.Int64:
                writer.WriteVarintField(number, (ulong)(long)AsInteger(node, path));
                break;
            case ProtoType.UInt32 or ProtoType.UInt64:
                writer.WriteVarintField(number, (ulong)AsInteger(node, path));
                break;
            case ProtoType.SInt32 or ProtoType.SInt64:
                var signed = (long)AsInteger(node, path);
                writer.WriteVarintField(number, (ulong)((signed << 1) ^ (signed >> 63)));
                break;
            case ProtoType.Fixed32 or ProtoType.SFixed32:
                writer.WriteKey(number, WireType.Fixed32);
                writer.WriteFixed32(unchecked((uint)(long)AsInteger(node, path)));
                break;
            case ProtoType.Fixed64 or ProtoType.SFixed64:
                writer.WriteKey(number, WireType.Fixed64);
                writer.WriteFixed64(unchecked((ulong)(long)AsInteger(node, path)));
                break;
            case ProtoType.Double:
                writer.WriteKey(number, WireType.Fixed64);
                writer.WriteFixed64(BitConverter.DoubleToUInt64Bits((double)AsNumber(node, path)));
                break;
            case ProtoType.Float:
                writer.WriteKey(number, WireType.Fixed32);
                writer.WriteFixed32(BitConverter.SingleToUInt32Bits((float)AsNumber(node, path)));
                break;
        }
    }

    private static void WriteMessageContent(string messageName, JsonNode node, ProtoWriter writer, string path)
    {
        if (SpecialTypes.TryEncode(messageName, node, writer, path))
        {
            return;
        }

        var message = KubernetesProtobufSchema.Get(messageName);
        if (message.IsStringSlice)
        {
            if (node is not JsonArray items)
            {
                throw new ProtobufEncodeException($"{path}: expected an array of strings");
            }

            foreach (var item in items)
            {
                if (item is not null)
                {
                    writer.WriteStringField(1, AsString(item, path));
                }
            }

            return;
        }

        if (node is not JsonObject obj)
        {
            throw new ProtobufEncodeException($"{path}: expected an object");
        }

        WriteFields(message, obj, writer, path);
    }

    public static string AsString(JsonNode node, string path) =>
        node.GetValueKind() == JsonValueKind.String
            ? node.GetValue<string>()
            : throw new ProtobufEncodeException($"{path}: expected a string, got {node.GetValueKind()}");

    public static decimal AsNumber(JsonNode node, string path) =>
        node.GetValueKind() == JsonValueKind.Number
            && decimal.TryParse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ProtobufEncodeException($"{path}: expected a number, got {node.GetValueKind()}");

    public static decimal AsInteger(JsonNode node, string path)
    {
        var value = AsNumber(node, path);
        return value == decimal.Truncate(value)
            ? value
            : throw new ProtobufEncodeException($"{path}: expected an integer, got {value}");
    }
}
