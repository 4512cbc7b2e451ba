using Google.Protobuf;

namespace Stevedore.ApiServer.Tests.Protobuf;

/// <summary>
/// Builds protobuf bytes with Google.Protobuf's <see cref="CodedOutputStream"/>, an encoder
/// independent of the code under test, so decode tests check against the real wire format.
/// </summary>
internal sealed class ProtoBuilder
{
    private readonly MemoryStream _stream = new();
    private readonly CodedOutputStream _output;

    public ProtoBuilder()
    {
        _output = new CodedOutputStream(_stream, leaveOpen: true);
    }

    public ProtoBuilder String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public ProtoBuilder Bytes(int field, byte[] value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoBuilder Varint(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public ProtoBuilder Bool(int field, bool value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteBool(value);
        return this;
    }

    public ProtoBuilder Double(int field, double value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed64);
        _output.WriteDouble(value);
        return this;
    }

    public ProtoBuilder Message(int field, ProtoBuilder message) => Bytes(field, message.ToArray());

    /// <summary>A map entry {1: key, 2: value} for map&lt;string, string&gt;.</summary>
    public ProtoBuilder MapEntry(int field, string key, string value) =>
        Message(field, new ProtoBuilder().String(1, key).String(2, value));

    public ProtoBuilder MapEntry(int field, string key, ProtoBuilder value) =>
        Message(field, new ProtoBuilder().String(1, key).Message(2, value));

    public byte[] ToArray()
    {
        _output.Flush();
        return _stream.ToArray();
    }

    /// <summary>The full body: "k8s\0" + runtime.Unknown {typeMeta, raw, contentEncoding, contentType}.</summary>
    public static byte[] Envelope(string apiVersion, string kind, ProtoBuilder obj)
    {
        var unknown = new ProtoBuilder()
            .Message(1, new ProtoBuilder().String(1, apiVersion).String(2, kind))
            .Bytes(2, obj.ToArray())
            .String(3, string.Empty)
            .String(4, string.Empty)
            .ToArray();
        return [.. "k8s\0"u8, .. unknown];
    }

    /// <summary>ObjectMeta with a name (and optionally a namespace).</summary>
    public static ProtoBuilder Meta(string name, string? ns = null)
    {
        var meta = new ProtoBuilder().String(1, name);
        return ns is null ? meta : meta.String(3, ns);
    }
}
