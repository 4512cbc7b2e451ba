using System.Buffers;
using System.Text;

namespace Stevedore.ApiServer.OpenApi;

/// <summary>
/// The few protobuf wire-format primitives the gnostic encoder needs: varints, strings,
/// booleans and nested messages (length-delimited). Nested messages are written into their
/// own writer first so their length is known; the documents are small enough for that.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintWireType = 0;
    private const int LengthDelimitedWireType = 2;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public int Length => _buffer.WrittenCount;

    public void WriteString(int field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        WriteTag(field, LengthDelimitedWireType);
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)byteCount);
        var span = _buffer.GetSpan(byteCount);
        Encoding.UTF8.GetBytes(value, span);
        _buffer.Advance(byteCount);
    }

    /// <summary>Repeated strings keep empty entries: each element is written even when empty.</summary>
    public void WriteRepeatedString(int field, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            WriteTag(field, LengthDelimitedWireType);
            var byteCount = Encoding.UTF8.GetByteCount(value);
            WriteVarint((ulong)byteCount);
            var span = _buffer.GetSpan(Math.Max(byteCount, 1));
            Encoding.UTF8.GetBytes(value, span);
            _buffer.Advance(byteCount);
        }
    }

    public void WriteBool(int field, bool value)
    {
        if (!value)
        {
            return;
        }

        WriteTag(field, VarintWireType);
        WriteVarint(1);
    }

    /// <summary>Writes a nested message; an empty message is still written so oneof choices stay visible.</summary>
    public void WriteMessage(int field, ProtoWriter message)
    {
        WriteTag(field, LengthDelimitedWireType);
        WriteVarint((ulong)message.Length);
        var span = _buffer.GetSpan(Math.Max(message.Length, 1));
        message._buffer.WrittenSpan.CopyTo(span);
        _buffer.Advance(message.Length);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
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
}
