using Grpc.Core;

namespace Stevedore.Storage.Etcd;

/// <summary>Classifies etcd's gRPC errors (matched on etcd's stable error texts).</summary>
internal static class EtcdErrors
{
    public static bool IsCompacted(RpcException e) => e.Status.Detail.Contains("required revision has been compacted");

    public static bool IsFutureRevision(RpcException e) => e.Status.Detail.Contains("required revision is a future revision");

    public static bool IsLeaseNotFound(RpcException e) => e.Status.Detail.Contains("requested lease not found");

    public static bool IsCancellation(RpcException e, CancellationToken cancellationToken) =>
        e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested;

    public static Exception Unavailable(RpcException e) =>
        new StoreUnavailableException($"etcd request failed: {e.Status.StatusCode}: {e.Status.Detail}", e);
}
