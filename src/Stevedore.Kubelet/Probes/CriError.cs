using Grpc.Core;

namespace Stevedore.Kubelet.Probes;

/// <summary>A CRI call's failure as upstream prints a gRPC error.</summary>
internal static class CriError
{
    /// <summary><c>rpc error: code = NotFound desc = ...</c>.</summary>
    public static string Describe(RpcException ex) => $"rpc error: code = {ex.StatusCode} desc = {ex.Status.Detail}";
}
