using System.Text;

namespace Stevedore.ApiServer.Tests.OpenApi;

/// <summary>
/// An independent protobuf wire-format reader for the tests: splits a message into its
/// fields so a test can walk gnostic messages by field number without generated code.
/// </summary>
internal sealed class ProtoFields
{
    private readonly List<(int Field, int WireType, ulong Varint, byte[] Bytes)> _fields = [];

    public ProtoFields(ReadOnlySpan<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var field = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    _fields.Add((field, wireType, ReadVarint(message, ref position), []));
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    if (length < 0 || position + length > message.Length)
                    {
                        throw new FormatException($"field {field} runs past the end of the message");
                    }

                    _fields.Add((field, wireType, 0, message.Slice(position, length).ToArray()));
                    position += length;
                    break;
                default:
                    throw new FormatException($"unexpected wire type {wireType} for field {field}");
            }
        }
    }

    public IEnumerable<ProtoFields> Messages(int field) =>
        _fields.Where(f => f.Field == field && f.WireType == 2).Select(f => new ProtoFields(f.Bytes));

    public ProtoFields? Message(int field) => Messages(field).FirstOrDefault();

    public IEnumerable<string> Strings(int field) =>
        _fields.Where(f => f.Field == field && f.WireType == 2).Select(f => Encoding.UTF8.GetString(f.Bytes));

    public string? String(int field) => Strings(field).FirstOrDefault();

    public bool Bool(int field) => _fields.Any(f => f.Field == field && f.WireType == 0 && f.Varint != 0);

    /// <summary>In gnostic's "named" messages (NamedSchema, NamedPathItem…) the name is field 1 and the value field 2.</summary>
    public ProtoFields? Named(int field, string name) =>
        Messages(field).FirstOrDefault(m => m.String(1) == name)?.Message(2);

    private static ulong ReadVarint(ReadOnlySpan<byte> buffer, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = buffer[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("varint longer than 10 bytes");
    }
}
