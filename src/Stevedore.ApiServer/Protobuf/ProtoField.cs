namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// One field of a message. For <see cref="ProtoFieldLabel.Map"/> fields <see cref="Type"/> and
/// <see cref="MessageName"/> describe the map value; map keys are always strings in Kubernetes.
/// </summary>
internal sealed record ProtoField(int Number, string JsonName, ProtoFieldLabel Label, ProtoType Type, string? MessageName);
