using System.Text.Json.Nodes;
using Google.Protobuf;

namespace Stevedore.ApiServer.Security.Protobuf;

/// <summary>
/// The Kubernetes protobuf wire format (<c>application/vnd.kubernetes.protobuf</c>): the four
/// magic bytes <c>k8s\0</c> followed by a <c>runtime.Unknown</c> envelope
/// <c>{ typeMeta{apiVersion=1, kind=2}=1, raw=2, contentEncoding=3, contentType=4 }</c> whose
/// <c>raw</c> is the object's own message. Only the kinds in <see cref="KubernetesMessages"/>
/// are translated; everything else should be answered 415 so the client knows.
/// </summary>
public static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    /// <summary>The prefix of every Kubernetes protobuf body: <c>k8s\0</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>True if a Content-Type names the Kubernetes protobuf media type (parameters ignored).</summary>
    public static bool IsProtobufMediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';');
        var bare = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return bare.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// True if an Accept header admits protobuf and nothing JSON can satisfy (no
    /// <c>application/json</c>, <c>application/*</c> or <c>*/*</c>). kubectl 1.32+ sends
    /// <c>application/vnd.kubernetes.protobuf,application/json</c>, so JSON answers suit it.
    /// </summary>
    public static bool AcceptsOnlyProtobuf(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return false;
        }

        var protobuf = false;
        foreach (var range in accept.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var semicolon = range.IndexOf(';');
            var bare = (semicolon < 0 ? range : range[..semicolon]).Trim().ToLowerInvariant();
            if (bare is "application/json" or "application/*" or "*/*")
            {
                return false;
            }

            protobuf |= bare == MediaType;
        }

        return protobuf;
    }

    /// <summary>True if objects of this kind can be translated.</summary>
    public static bool IsSupported(string apiVersion, string kind) => KubernetesMessages.Find(apiVersion, kind) is not null;

    /// <summary>
    /// Decodes a protobuf request body into the JSON object the same request would have carried
    /// as JSON (with <c>apiVersion</c> and <c>kind</c> set).
    /// </summary>
    /// <param name="body">The whole request body, magic included.</param>
    /// <param name="json">The decoded object when successful.</param>
    /// <param name="failure">Why decoding failed, with the status code to answer.</param>
    public static bool TryDecode(ReadOnlySpan<byte> body, out JsonObject? json, out ProtobufDecodeFailure? failure)
    {
        json = null;
        if (!body.StartsWith(Magic))
        {
            failure = ProtobufDecodeFailure.Malformed("the body does not start with the Kubernetes protobuf prefix k8s\\0");
            return false;
        }

        try
        {
            var envelope = ReadEnvelope(ByteString.CopyFrom(body[Magic.Length..]));
            if (envelope.ContentEncoding.Length > 0)
            {
                failure = ProtobufDecodeFailure.Unsupported($"unsupported protobuf content encoding \"{envelope.ContentEncoding}\"");
                return false;
            }

            var shape = KubernetesMessages.Find(envelope.ApiVersion, envelope.Kind);
            if (shape is null)
            {
                failure = ProtobufDecodeFailure.Unsupported($"protobuf is not supported for {envelope.ApiVersion}, Kind={envelope.Kind}");
                return false;
            }

            var decoded = ProtobufJsonCodec.Decode(shape, envelope.Raw);
            json = new JsonObject { ["kind"] = envelope.Kind, ["apiVersion"] = envelope.ApiVersion };
            foreach (var (name, value) in decoded.ToList())
            {
                decoded.Remove(name);
                json[name] = value;
            }

            failure = null;
            return true;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or FormatException)
        {
            failure = ProtobufDecodeFailure.Malformed($"malformed protobuf body: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// Encodes an object (with <c>apiVersion</c> and <c>kind</c>) as a Kubernetes protobuf body,
    /// for clients whose Accept admits only protobuf.
    /// </summary>
    /// <exception cref="NotSupportedException">The kind is not in <see cref="KubernetesMessages"/>.</exception>
    public static byte[] Encode(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? "";
        var kind = obj["kind"]?.GetValue<string>() ?? "";
        var shape = KubernetesMessages.Find(apiVersion, kind)
            ?? throw new NotSupportedException($"protobuf is not supported for {apiVersion}, Kind={kind}");
        var raw = ProtobufJsonCodec.Encode(shape, obj);

        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        using (var typeMetaBuffer = new MemoryStream())
        {
            var typeMeta = new CodedOutputStream(typeMetaBuffer, leaveOpen: true);
            typeMeta.WriteTag(1, WireFormat.WireType.LengthDelimited);
            typeMeta.WriteString(apiVersion);
            typeMeta.WriteTag(2, WireFormat.WireType.LengthDelimited);
            typeMeta.WriteString(kind);
            typeMeta.Flush();
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(typeMetaBuffer.ToArray()));
        }

        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(raw));
        // Empty contentEncoding and contentType, written as upstream writes them.
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteString("");
        output.WriteTag(4, WireFormat.WireType.LengthDelimited);
        output.WriteString("");
        output.Flush();
        return buffer.ToArray();
    }

    private static Envelope ReadEnvelope(ByteString bytes)
    {
        string apiVersion = "", kind = "", contentEncoding = "";
        var raw = ByteString.Empty;
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    var typeMeta = input.ReadBytes().CreateCodedInput();
                    uint inner;
                    while ((inner = typeMeta.ReadTag()) != 0)
                    {
                        switch (WireFormat.GetTagFieldNumber(inner))
                        {
                            case 1:
                                apiVersion = typeMeta.ReadString();
                                break;
                            case 2:
                                kind = typeMeta.ReadString();
                                break;
                            default:
                                typeMeta.SkipLastField();
                                break;
                        }
                    }

                    break;
                case 2:
                    raw = input.ReadBytes();
                    break;
                case 3:
                    contentEncoding = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new Envelope(apiVersion, kind, raw, contentEncoding);
    }

    private sealed record Envelope(string ApiVersion, string Kind, ByteString Raw, string ContentEncoding);
}
