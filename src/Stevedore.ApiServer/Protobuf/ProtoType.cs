namespace Stevedore.ApiServer.Protobuf;

/// <summary>The protobuf scalar types Kubernetes messages use, plus <see cref="Message"/>.</summary>
internal enum ProtoType
{
    Message,
    String,
    Bytes,
    Bool,
    Int32,
    Int64,
    UInt32,
    UInt64,
    SInt32,
    SInt64,
    Fixed32,
    Fixed64,
    SFixed32,
    SFixed64,
    Double,
    Float,
}
