namespace Stevedore.ApiServer.Security.Protobuf;

/// <summary>How a protobuf field maps to JSON.</summary>
public enum ProtoFieldKind
{
    String,
    Bool,
    Int32,
    Int64,

    /// <summary>A nested message, a JSON object.</summary>
    Message,
    RepeatedString,

    /// <summary>Repeated nested messages, a JSON array of objects.</summary>
    RepeatedMessage,

    /// <summary><c>map&lt;string, string&gt;</c> (labels, annotations), a JSON object of strings.</summary>
    StringMap,

    /// <summary><c>map&lt;string, ExtraValue&gt;</c> where ExtraValue is <c>{ repeated string items = 1; }</c>, a JSON object of string arrays.</summary>
    StringListMap,

    /// <summary>meta/v1 <c>Time { int64 seconds = 1; int32 nanos = 2; }</c>, an RFC 3339 string.</summary>
    Time,
}

/// <summary>One field of a message: its number on the wire and its name in JSON.</summary>
public sealed record ProtoField(int Number, string JsonName, ProtoFieldKind Kind, ProtoMessage? Message = null);

/// <summary>
/// The shape of one Kubernetes protobuf message (field numbers from upstream generated.proto),
/// enough to translate it to and from the JSON the rest of the server works with. Fields not
/// listed are skipped when decoding.
/// </summary>
public sealed class ProtoMessage
{
    private readonly Dictionary<int, ProtoField> _byNumber;

    public ProtoMessage(string name, params ProtoField[] fields)
    {
        Name = name;
        Fields = fields.OrderBy(f => f.Number).ToList();
        _byNumber = Fields.ToDictionary(f => f.Number);
        foreach (var field in Fields)
        {
            if (field.Kind is ProtoFieldKind.Message or ProtoFieldKind.RepeatedMessage && field.Message is null)
            {
                throw new ArgumentException($"{name}.{field.JsonName}: a message field needs its message shape");
            }
        }
    }

    public string Name { get; }

    /// <summary>Fields in field-number order, the order encoders write them.</summary>
    public IReadOnlyList<ProtoField> Fields { get; }

    public ProtoField? Field(int number) => _byNumber.GetValueOrDefault(number);
}
