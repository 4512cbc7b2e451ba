namespace Stevedore.ApiServer.Protobuf;

internal static partial class KubernetesProtobufSchema
{
    private const string ApiExtensionsTable = "";
}
