namespace Stevedore.ApiServer.Security.Protobuf;

/// <summary>Why a protobuf body could not be decoded, with the HTTP status to answer.</summary>
/// <param name="StatusCode">415 (UnsupportedMediaType) when the kind or encoding is not translated,
/// 400 (BadRequest) when the bytes are malformed.</param>
/// <param name="Message">A human-readable explanation for the Status body.</param>
public sealed record ProtobufDecodeFailure(int StatusCode, string Message)
{
    public static ProtobufDecodeFailure Unsupported(string message) => new(415, message);

    public static ProtobufDecodeFailure Malformed(string message) => new(400, message);
}
