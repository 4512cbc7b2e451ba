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

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
