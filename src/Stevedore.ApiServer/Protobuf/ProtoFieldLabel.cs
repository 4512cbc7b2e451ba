namespace Stevedore.ApiServer.Protobuf;

/// <summary>How a field is carried on the wire and shown in JSON (the Go struct field's shape).</summary>
internal enum ProtoFieldLabel
{
    /// <summary>Go value field: gogo always writes it, JSON (omitempty) hides its zero value.</summary>
    Value,

    /// <summary>Go pointer field: on the wire only when set, and then shown even if zero.</summary>
    Pointer,

    /// <summary>Go slice: one wire field per element.</summary>
    Repeated,

    /// <summary>Go embedded struct tagged <c>json:",inline"</c>: its fields are flattened into the parent.</summary>
    Inline,

    /// <summary>Go map: repeated entry messages {1: key, 2: value}.</summary>
    Map,
}
