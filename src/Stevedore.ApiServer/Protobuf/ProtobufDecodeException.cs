namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// A request body in <c>application/vnd.kubernetes.protobuf</c> could not be turned into JSON:
/// wrong magic, truncated or malformed wire data, or a kind this server has no schema for.
/// The message is meant for the client (it becomes a 400/415 Status message).
/// </summary>
public sealed class ProtobufDecodeException : Exception
{
    public ProtobufDecodeException()
    {
    }

    public ProtobufDecodeException(string message)
        : base(message)
    {
    }

    public ProtobufDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
