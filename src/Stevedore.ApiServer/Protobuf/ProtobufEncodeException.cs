namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// A JSON object could not be written as Kubernetes protobuf: unknown kind, or a field whose
/// JSON value does not fit the field's protobuf type (e.g. a string where an int32 belongs).
/// </summary>
public sealed class ProtobufEncodeException : Exception
{
    public ProtobufEncodeException()
    {
    }

    public ProtobufEncodeException(string message)
        : base(message)
    {
    }

    public ProtobufEncodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
