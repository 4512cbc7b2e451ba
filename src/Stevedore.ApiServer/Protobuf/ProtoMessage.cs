namespace Stevedore.ApiServer.Protobuf;

/// <summary>A message of the schema table with its fields indexed by number and by JSON name.</summary>
internal sealed class ProtoMessage
{
    public ProtoMessage(string fullName, bool isStringSlice, IReadOnlyList<ProtoField> fields)
    {
        FullName = fullName;
        IsStringSlice = isStringSlice;
        Fields = fields.OrderBy(f => f.Number).ToArray();
        ByNumber = Fields.ToDictionary(f => f.Number);
    }

    /// <summary>Dotted protobuf name, e.g. <c>k8s.io.api.core.v1.ConfigMap</c>.</summary>
    public string FullName { get; }

    /// <summary>A named Go string slice (ExtraValue, Verbs): wire {1: repeated items}, JSON a bare array.</summary>
    public bool IsStringSlice { get; }

    /// <summary>Fields in ascending number order, the order gogo writes them.</summary>
    public IReadOnlyList<ProtoField> Fields { get; }

    public IReadOnlyDictionary<int, ProtoField> ByNumber { get; }
}
