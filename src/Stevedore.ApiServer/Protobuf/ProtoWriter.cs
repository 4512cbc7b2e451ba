using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>Appends protobuf fields to a growable buffer. Nested messages are built in their own writer.</summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public void WriteKey(int field, WireType wire) => WriteVarint(((ulong)field << 3) | (uint)wire);

    public void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    public void WriteFixed32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteFixed64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void WriteBytesField(int field, ReadOnlySpan<byte> bytes)
    {
        WriteKey(field, WireType.LengthDelimited);
        WriteVarint((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    public void WriteStringField(int field, string value) => WriteBytesField(field, Encoding.UTF8.GetBytes(value));

    public void WriteVarintField(int field, ulong value)
    {
        WriteKey(field, WireType.Varint);
        WriteVarint(value);
    }

    /// <summary>A string field; null or empty is omitted, as proto3 does for default values.</summary>
    public void WriteString(int field, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            WriteStringField(field, value);
        }
    }

    /// <summary>Repeated strings keep empty entries: each element is written even when empty.</summary>
    public void WriteRepeatedString(int field, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            WriteStringField(field, value);
        }
    }

    /// <summary>A bool field; false is omitted.</summary>
    public void WriteBool(int field, bool value)
    {
        if (value)
        {
            WriteVarintField(field, 1);
        }
    }

    /// <summary>Writes a nested message; an empty message is still written so oneof choices stay visible.</summary>
    public void WriteMessage(int field, ProtoWriter message) => WriteBytesField(field, message.WrittenSpan);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
