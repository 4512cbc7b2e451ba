using System.Text;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// The Kubernetes protobuf wire format (<c>application/vnd.kubernetes.protobuf</c>) as JSON:
/// a body is the 4 bytes <c>k8s\0</c> followed by a <c>runtime.Unknown</c> message
/// {1: typeMeta {1: apiVersion, 2: kind}, 2: raw (the object's own message), 3: contentEncoding,
/// 4: contentType}. The object's message is read with the built-in schema table, so the rest of
/// the server only ever sees the same JSON a JSON client would have sent.
/// </summary>
public static class KubernetesProtobuf
{
    /// <summary>The media type kubectl and client-go use for protobuf bodies.</summary>
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>
    /// True for <c>application/vnd.kubernetes.protobuf</c> with or without parameters
    /// (e.g. <c>;stream=watch</c>), case-insensitive.
    /// </summary>
    public static bool IsProtobuf(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType))
        {
            return false;
        }

        var semicolon = mediaType.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
        return type.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the bytes start with the <c>k8s\0</c> prefix.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> body) => body.StartsWith(Magic);

    /// <summary>
    /// Decodes a protobuf request body into the object's JSON, with <c>apiVersion</c> and
    /// <c>kind</c> taken from the envelope's typeMeta.
    /// </summary>
    /// <exception cref="ProtobufDecodeException">Bad prefix, malformed or truncated data, or a kind without schema.</exception>
    public static JsonObject DecodeToJson(ReadOnlySpan<byte> body) => DecodeToJson(body, 0);

    /// <summary>Decodes a body nested <paramref name="depth"/> levels deep (inside a RawExtension).</summary>
    internal static JsonObject DecodeToJson(ReadOnlySpan<byte> body, int depth)
    {
        if (!HasMagic(body))
        {
            throw new ProtobufDecodeException("body is not Kubernetes protobuf: it does not start with the \"k8s\\x00\" prefix");
        }

        var reader = new ProtoReader(body[Magic.Length..]);
        string apiVersion = string.Empty, kind = string.Empty, contentEncoding = string.Empty;
        var raw = ReadOnlySpan<byte>.Empty;
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (wire != WireType.LengthDelimited)
            {
                reader.Skip(wire);
                continue;
            }

            var value = reader.ReadLengthDelimited();
            switch (number)
            {
                case 1:
                    (apiVersion, kind) = ReadTypeMeta(value);
                    break;
                case 2:
                    raw = value;
                    break;
                case 3:
                    contentEncoding = Encoding.UTF8.GetString(value);
                    break;
            }
        }

        if (contentEncoding.Length != 0)
        {
            throw new ProtobufDecodeException($"unsupported protobuf contentEncoding \"{contentEncoding}\"");
        }

        if (kind.Length == 0)
        {
            throw new ProtobufDecodeException("protobuf body has no kind in its typeMeta");
        }

        var message = KubernetesProtobufSchema.FindKind(apiVersion, kind)
            ?? throw new ProtobufDecodeException($"no protobuf schema for kind \"{kind}\" in \"{apiVersion}\"; send it as application/json");
        var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        ProtobufToJson.DecodeInto(message, raw, obj, depth);
        return obj;
    }

    /// <summary>
    /// Encodes an object (including List kinds: ListMeta + repeated items) as a protobuf body.
    /// <c>apiVersion</c> and <c>kind</c> must be set; they select the message and fill typeMeta.
    /// </summary>
    /// <exception cref="ProtobufEncodeException">No schema for the kind, or a value that does not fit its field.</exception>
    public static byte[] EncodeFromJson(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var apiVersion = obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var a) ? a : string.Empty;
        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : string.Empty;
        var message = KubernetesProtobufSchema.FindKind(apiVersion, kind)
            ?? throw new ProtobufEncodeException($"no protobuf schema for kind \"{kind}\" in \"{apiVersion}\"");

        var content = new ProtoWriter();
        JsonToProtobuf.WriteFields(message, obj, content, kind);

        var typeMeta = new ProtoWriter();
        typeMeta.WriteStringField(1, apiVersion);
        typeMeta.WriteStringField(2, kind);

        var envelope = new ProtoWriter();
        envelope.WriteRaw(Magic);
        envelope.WriteBytesField(1, typeMeta.WrittenSpan);
        envelope.WriteBytesField(2, content.WrittenSpan);
        envelope.WriteStringField(3, string.Empty);
        envelope.WriteStringField(4, string.Empty);
        return envelope.ToArray();
    }

    private static (string ApiVersion, string Kind) ReadTypeMeta(ReadOnlySpan<byte> data)
    {
        var reader = new ProtoReader(data);
        string apiVersion = string.Empty, kind = string.Empty;
        while (!reader.End)
        {
            var (number, wire) = reader.ReadKey();
            if (wire == WireType.LengthDelimited && number is 1 or 2)
            {
                var text = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
                if (number == 1)
                {
                    apiVersion = text;
                }
                else
                {
                    kind = text;
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return (apiVersion, kind);
    }
}
