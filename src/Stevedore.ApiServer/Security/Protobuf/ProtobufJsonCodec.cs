using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Stevedore.ApiServer.Security.Protobuf;

/// <summary>
/// Translates between protobuf messages described by <see cref="ProtoMessage"/> and JSON
/// objects. Decoding leaves out scalars at their zero value (as Go's <c>omitempty</c> JSON
/// does) but keeps every nested message that was present on the wire, because presence is
/// meaningful (e.g. which of resourceAttributes / nonResourceAttributes a review sets).
/// </summary>
internal static class ProtobufJsonCodec
{
    public static JsonObject Decode(ProtoMessage shape, ByteString bytes)
    {
        var json = new JsonObject();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = shape.Field(WireFormat.GetTagFieldNumber(tag));
            if (field is null)
            {
                input.SkipLastField();
                continue;
            }

            var wireType = WireFormat.GetTagWireType(tag);
            if (wireType != WireTypeOf(field.Kind))
            {
                throw new FormatException(
                    $"{shape.Name}.{field.JsonName}: wire type {wireType}, expected {WireTypeOf(field.Kind)}");
            }

            switch (field.Kind)
            {
                case ProtoFieldKind.String:
                    SetUnlessDefault(json, field.JsonName, input.ReadString());
                    break;
                case ProtoFieldKind.Bool:
                    if (input.ReadBool())
                    {
                        json[field.JsonName] = true;
                    }
                    else
                    {
                        json.Remove(field.JsonName);
                    }

                    break;
                case ProtoFieldKind.Int32:
                    SetUnlessZero(json, field.JsonName, input.ReadInt32());
                    break;
                case ProtoFieldKind.Int64:
                    SetUnlessZero(json, field.JsonName, input.ReadInt64());
                    break;
                case ProtoFieldKind.Message:
                    json[field.JsonName] = Decode(field.Message!, input.ReadBytes());
                    break;
                case ProtoFieldKind.RepeatedString:
                    ArrayOf(json, field.JsonName).Add(input.ReadString());
                    break;
                case ProtoFieldKind.RepeatedMessage:
                    ArrayOf(json, field.JsonName).Add(Decode(field.Message!, input.ReadBytes()));
                    break;
                case ProtoFieldKind.StringMap:
                    var (key, value) = DecodeMapEntry(input.ReadBytes(), v => (JsonNode?)JsonValue.Create(v.ToStringUtf8()));
                    ObjectOf(json, field.JsonName)[key] = value ?? "";
                    break;
                case ProtoFieldKind.StringListMap:
                    var (listKey, list) = DecodeMapEntry(input.ReadBytes(), DecodeExtraValue);
                    ObjectOf(json, field.JsonName)[listKey] = list ?? new JsonArray();
                    break;
                case ProtoFieldKind.Time:
                    var time = DecodeTime(input.ReadBytes());
                    if (time is null)
                    {
                        json.Remove(field.JsonName);
                    }
                    else
                    {
                        json[field.JsonName] = time;
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unhandled field kind {field.Kind}");
            }
        }

        return json;
    }

    public static byte[] Encode(ProtoMessage shape, JsonObject json)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        foreach (var field in shape.Fields)
        {
            if (json[field.JsonName] is not { } node)
            {
                continue;
            }

            switch (field.Kind)
            {
                case ProtoFieldKind.String:
                    output.WriteTag(field.Number, WireFormat.WireType.LengthDelimited);
                    output.WriteString(node.GetValue<string>());
                    break;
                case ProtoFieldKind.Bool:
                    output.WriteTag(field.Number, WireFormat.WireType.Varint);
                    output.WriteBool(node.GetValue<bool>());
                    break;
                case ProtoFieldKind.Int32:
                    output.WriteTag(field.Number, WireFormat.WireType.Varint);
                    output.WriteInt32(node.GetValue<int>());
                    break;
                case ProtoFieldKind.Int64:
                    output.WriteTag(field.Number, WireFormat.WireType.Varint);
                    output.WriteInt64(node.GetValue<long>());
                    break;
                case ProtoFieldKind.Message:
                    WriteNested(output, field.Number, Encode(field.Message!, node.AsObject()));
                    break;
                case ProtoFieldKind.RepeatedString:
                    foreach (var item in node.AsArray())
                    {
                        output.WriteTag(field.Number, WireFormat.WireType.LengthDelimited);
                        output.WriteString(item?.GetValue<string>() ?? "");
                    }

                    break;
                case ProtoFieldKind.RepeatedMessage:
                    foreach (var item in node.AsArray())
                    {
                        WriteNested(output, field.Number, Encode(field.Message!, item?.AsObject() ?? []));
                    }

                    break;
                case ProtoFieldKind.StringMap:
                    foreach (var (key, value) in node.AsObject())
                    {
                        WriteNested(output, field.Number, EncodeMapEntry(key, EncodeString(value?.GetValue<string>() ?? "")));
                    }

                    break;
                case ProtoFieldKind.StringListMap:
                    foreach (var (key, value) in node.AsObject())
                    {
                        WriteNested(output, field.Number, EncodeMapEntry(key, EncodeExtraValue(value?.AsArray() ?? [])));
                    }

                    break;
                case ProtoFieldKind.Time:
                    WriteNested(output, field.Number, EncodeTime(node.GetValue<string>()));
                    break;
                default:
                    throw new InvalidOperationException($"unhandled field kind {field.Kind}");
            }
        }

        output.Flush();
        return buffer.ToArray();
    }

    private static WireFormat.WireType WireTypeOf(ProtoFieldKind kind) => kind switch
    {
        ProtoFieldKind.Bool or ProtoFieldKind.Int32 or ProtoFieldKind.Int64 => WireFormat.WireType.Varint,
        _ => WireFormat.WireType.LengthDelimited,
    };

    private static void SetUnlessDefault(JsonObject json, string name, string value)
    {
        if (value.Length > 0)
        {
            json[name] = value;
        }
        else
        {
            json.Remove(name);
        }
    }

    private static void SetUnlessZero(JsonObject json, string name, long value)
    {
        if (value != 0)
        {
            json[name] = value;
        }
        else
        {
            json.Remove(name);
        }
    }

    private static JsonArray ArrayOf(JsonObject json, string name)
    {
        if (json[name] is JsonArray existing)
        {
            return existing;
        }

        var created = new JsonArray();
        json[name] = created;
        return created;
    }

    private static JsonObject ObjectOf(JsonObject json, string name)
    {
        if (json[name] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        json[name] = created;
        return created;
    }

    /// <summary>A map entry is a message <c>{ key = 1; value = 2; }</c>.</summary>
    private static (string Key, JsonNode? Value) DecodeMapEntry(ByteString entry, Func<ByteString, JsonNode?> decodeValue)
    {
        var input = entry.CreateCodedInput();
        var key = "";
        JsonNode? value = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    key = input.ReadString();
                    break;
                case 2:
                    value = decodeValue(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (key, value);
    }

    private static JsonNode DecodeExtraValue(ByteString bytes)
    {
        var items = new JsonArray();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                items.Add(input.ReadString());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return items;
    }

    /// <summary>meta/v1 Time; the zero time (how Go encodes an unset timestamp) decodes to <c>null</c>.</summary>
    private static string? DecodeTime(ByteString bytes)
    {
        long seconds = 0;
        var nanos = 0;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    seconds = input.ReadInt64();
                    break;
                case 2:
                    nanos = input.ReadInt32();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        // Go's zero time.Time is year 1; its Unix seconds are what an unset field carries.
        const long goZeroTimeUnixSeconds = -62135596800;
        if ((seconds == 0 && nanos == 0) || seconds == goZeroTimeUnixSeconds)
        {
            return null;
        }

        // Kubernetes JSON timestamps have second precision.
        return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    private static byte[] EncodeTime(string rfc3339)
    {
        var time = DateTimeOffset.Parse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt64(time.ToUnixTimeSeconds());
        output.WriteTag(2, WireFormat.WireType.Varint);
        output.WriteInt32(0);
        output.Flush();
        return buffer.ToArray();
    }

    private static byte[] EncodeMapEntry(string key, byte[] encodedValue)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteString(key);
        WriteNested(output, 2, encodedValue);
        output.Flush();
        return buffer.ToArray();
    }

    private static byte[] EncodeString(string value) => System.Text.Encoding.UTF8.GetBytes(value);

    private static byte[] EncodeExtraValue(JsonArray items)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        foreach (var item in items)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteString(item?.GetValue<string>() ?? "");
        }

        output.Flush();
        return buffer.ToArray();
    }

    private static void WriteNested(CodedOutputStream output, int number, byte[] bytes)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(bytes));
    }
}
