using Etcdserverpb;
using Grpc.Core;

namespace Stevedore.Storage.Etcd;

public sealed partial class EtcdStore
{
    public async Task<long> GrantLeaseAsync(TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        long seconds = Math.Max(1, (long)Math.Ceiling(timeToLive.TotalSeconds));
        var response = await CallAsync(options => _lease.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds }, options), cancellationToken)
            .ConfigureAwait(false);
        if (!string.IsNullOrEmpty(response.Error))
        {
            throw new StoreUnavailableException($"etcd refused the lease: {response.Error}");
        }

        return response.ID;
    }

    /// <summary>One renewal over etcd's keep-alive stream; a TTL of 0 back means the lease is gone.</summary>
    public async Task<bool> KeepAliveLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        using var call = _lease.LeaseKeepAlive(RequestOptions(cancellationToken));
        try
        {
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, cancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            return call.ResponseStream.Current.TTL > 0;
        }
        catch (RpcException e) when (EtcdErrors.IsLeaseNotFound(e))
        {
            return false;
        }
        catch (RpcException e) when (EtcdErrors.IsCancellation(e, cancellationToken))
        {
            throw new OperationCanceledException("etcd request canceled", e, cancellationToken);
        }
        catch (RpcException e)
        {
            throw EtcdErrors.Unavailable(e);
        }
    }

    public async Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(options => _lease.LeaseRevokeAsync(new LeaseRevokeRequest { ID = leaseId }, options), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RpcException e) when (EtcdErrors.IsLeaseNotFound(e))
        {
            // Already expired or revoked: the keys are gone either way.
        }
    }
}
