using System.Buffers.Binary;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// Forward-only reader over one protobuf message. Every read checks bounds and throws
/// <see cref="ProtobufDecodeException"/> on truncation, so callers never index past the span.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool End => _position >= _data.Length;

    /// <summary>Reads the next field key.</summary>
    public (int Field, WireType Wire) ReadKey()
    {
        var key = ReadVarint();
        var field = key >> 3;
        if (field == 0 || field > int.MaxValue)
        {
            throw new ProtobufDecodeException($"invalid protobuf field number {field} at offset {_position}");
        }

        return ((int)field, (WireType)(key & 7));
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Truncated();
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new ProtobufDecodeException($"malformed protobuf varint ending at offset {_position}");
    }

    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw Truncated();
        }

        return Take((int)length);
    }

    /// <summary>Skips a field of an unknown number so newer clients' fields do not break decoding.</summary>
    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8);
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                Take(4);
                break;
            default:
                throw new ProtobufDecodeException($"unsupported protobuf wire type {(int)wire} at offset {_position}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw Truncated();
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    private readonly ProtobufDecodeException Truncated() =>
        new($"truncated protobuf data: message of {_data.Length} bytes ends inside a field (offset {_position})");
}
