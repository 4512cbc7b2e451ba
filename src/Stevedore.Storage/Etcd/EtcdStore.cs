using EtcdKeyValue = Mvccpb.KeyValue;
using EtcdRangeRequest = Etcdserverpb.RangeRequest;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using dotnet_etcd;

namespace Stevedore.Storage.Etcd;

/// <summary>
/// The store on an etcd v3 cluster. Guarded writes are transactions comparing the key's
/// create revision (create) or mod revision (update, delete) and reading the key back on
/// failure, so a conflict costs one round trip.
/// </summary>
public sealed partial class EtcdStore : IStore
{
    private static readonly ByteString ZeroKey = ByteString.CopyFrom(0);

    private readonly EtcdClient _client;
    private readonly KV.KVClient _kv;
    private readonly Watch.WatchClient _watch;
    private readonly Lease.LeaseClient _lease;
    private readonly Maintenance.MaintenanceClient _maintenance;
    private readonly EtcdStoreOptions _options;
    private readonly PeriodicCompactor? _compactor;
    private long _knownCompactedRevision;

    private EtcdStore(EtcdClient client, EtcdStoreOptions options)
    {
        _client = client;
        var connection = client.GetConnection();
        _kv = connection.KVClient;
        _watch = connection.WatchClient;
        _lease = connection.LeaseClient;
        _maintenance = connection.MaintenanceClient;
        _options = options;
        _compactor = options.CompactionInterval is { } interval
            ? new PeriodicCompactor(this, interval, options.CompactionRetainedRevisions, TimeProvider.System)
            : null;
    }

    /// <summary>Connects to the cluster members at <paramref name="endpoints"/> (<c>host:port</c>, plain HTTP/2).</summary>
    public static EtcdStore Connect(IReadOnlyList<string> endpoints, EtcdStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is required", nameof(endpoints));
        }

        string connectionString = string.Join(',', endpoints.Select(endpoint =>
            endpoint.Contains("://", StringComparison.Ordinal) ? endpoint : "http://" + endpoint));
        // A full list of a big resource easily exceeds gRPC's 4 MiB default; etcd itself
        // bounds responses, so the client does not (kube-apiserver does the same).
        var client = new EtcdClient(connectionString, configureChannelOptions: channel => channel.MaxReceiveMessageSize = int.MaxValue);
        return new EtcdStore(client, options ?? new EtcdStoreOptions());
    }

    public async Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken)
    {
        var response = await CallAsync(
            options => _kv.RangeAsync(new EtcdRangeRequest { Key = ZeroKey, CountOnly = true }, options),
            cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var response = await CallAsync(
            options => _kv.RangeAsync(new EtcdRangeRequest { Key = ByteString.CopyFromUtf8(key) }, options),
            cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToKeyValue(response.Kvs[0]);
    }

    public async Task<RangeResult> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (lower, exclusive) = KeyRanges.LowerBound(request.Prefix, request.StartAfterKey);
        byte[] start = KeyRanges.Utf8(lower);
        if (exclusive)
        {
            // The smallest key greater than `lower` in byte order is `lower` followed by 0x00.
            Array.Resize(ref start, start.Length + 1);
        }

        var range = new EtcdRangeRequest
        {
            Key = start.Length == 0 ? ZeroKey : UnsafeByteOperations.UnsafeWrap(start),
            RangeEnd = RangeEnd(request.Prefix),
            Limit = request.Limit,
            Revision = request.Revision,
            CountOnly = request.CountOnly,
        };
        RangeResponse response;
        try
        {
            response = await CallAsync(options => _kv.RangeAsync(range, options), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (EtcdErrors.IsCompacted(e))
        {
            throw new StoreCompactedException(request.Revision, await GetCompactedRevisionAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (RpcException e) when (EtcdErrors.IsFutureRevision(e))
        {
            throw new StoreFutureRevisionException(request.Revision, await GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false));
        }

        var items = new KeyValue[response.Kvs.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = ToKeyValue(response.Kvs[i]);
        }

        long revision = request.Revision > 0 ? request.Revision : response.Header.Revision;
        return new RangeResult(items, revision, response.More, response.Count);
    }

    public async Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var keyBytes = ByteString.CopyFromUtf8(key);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = keyBytes, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = UnsafeByteOperations.UnsafeWrap(value), Lease = leaseId } } },
            Failure = { new RequestOp { RequestRange = new EtcdRangeRequest { Key = keyBytes } } },
        };
        var response = await TransactAsync(txn, cancellationToken).ConfigureAwait(false);
        long revision = response.Header.Revision;
        if (response.Succeeded)
        {
            return new WriteResult(WriteOutcome.Succeeded, revision, new KeyValue(key, value, revision, revision, leaseId));
        }

        var existing = response.Responses[0].ResponseRange.Kvs;
        return existing.Count > 0
            ? new WriteResult(WriteOutcome.AlreadyExists, revision, ToKeyValue(existing[0]))
            : new WriteResult(WriteOutcome.Conflict, revision, null);
    }

    public async Task<WriteResult> UpdateAsync(
        string key, ReadOnlyMemory<byte> value, long expectedModRevision, long leaseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var keyBytes = ByteString.CopyFromUtf8(key);
        var txn = new TxnRequest
        {
            Compare = { Exists(keyBytes), ModRevisionIs(keyBytes, expectedModRevision) },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = UnsafeByteOperations.UnsafeWrap(value), Lease = leaseId, PrevKv = true } } },
            Failure = { new RequestOp { RequestRange = new EtcdRangeRequest { Key = keyBytes } } },
        };
        var response = await TransactAsync(txn, cancellationToken).ConfigureAwait(false);
        long revision = response.Header.Revision;
        if (response.Succeeded)
        {
            var previous = response.Responses[0].ResponsePut.PrevKv;
            long createRevision = previous?.CreateRevision ?? revision;
            return new WriteResult(WriteOutcome.Succeeded, revision, new KeyValue(key, value, createRevision, revision, leaseId));
        }

        return FailedGuard(response, revision);
    }

    public async Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var keyBytes = ByteString.CopyFromUtf8(key);
        var txn = new TxnRequest
        {
            Compare = { Exists(keyBytes) },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = keyBytes, PrevKv = true } } },
            Failure = { new RequestOp { RequestRange = new EtcdRangeRequest { Key = keyBytes } } },
        };
        if (expectedModRevision != 0)
        {
            txn.Compare.Add(ModRevisionIs(keyBytes, expectedModRevision));
        }

        var response = await TransactAsync(txn, cancellationToken).ConfigureAwait(false);
        long revision = response.Header.Revision;
        if (response.Succeeded)
        {
            var previous = response.Responses[0].ResponseDeleteRange.PrevKvs;
            return new WriteResult(WriteOutcome.Succeeded, revision, previous.Count > 0 ? ToKeyValue(previous[0]) : null);
        }

        return FailedGuard(response, revision);
    }

    public async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(options => _kv.CompactAsync(new CompactionRequest { Revision = revision }, options), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RpcException e) when (EtcdErrors.IsCompacted(e))
        {
            // Already compacted at or beyond this revision: nothing to do.
            return;
        }
        catch (RpcException e) when (EtcdErrors.IsFutureRevision(e))
        {
            throw new StoreFutureRevisionException(revision, await GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false));
        }

        InterlockedMax(ref _knownCompactedRevision, revision);
    }

    /// <summary>
    /// etcd does not report its compacted revision directly, but a read below it fails; so
    /// this searches for the oldest readable revision (a few dozen cheap count-only reads).
    /// It also sees compactions made by other clients.
    /// </summary>
    public async Task<long> GetCompactedRevisionAsync(CancellationToken cancellationToken)
    {
        long low = Math.Max(1, Volatile.Read(ref _knownCompactedRevision));
        long high = await GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
        if (await IsReadableAsync(low, cancellationToken).ConfigureAwait(false))
        {
            return low == 1 ? 0 : low;
        }

        // Invariant: `low` is not readable, `high` is.
        while (high - low > 1)
        {
            long middle = low + ((high - low) / 2);
            if (await IsReadableAsync(middle, cancellationToken).ConfigureAwait(false))
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        InterlockedMax(ref _knownCompactedRevision, high);
        return high;
    }

    public async Task<long> GetDatabaseSizeAsync(CancellationToken cancellationToken)
    {
        var status = await CallAsync(options => _maintenance.StatusAsync(new StatusRequest(), options), cancellationToken)
            .ConfigureAwait(false);
        return status.DbSize;
    }

    public async ValueTask DisposeAsync()
    {
        if (_compactor is not null)
        {
            await _compactor.DisposeAsync().ConfigureAwait(false);
        }

        _client.Dispose();
    }

    private async Task<bool> IsReadableAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(
                options => _kv.RangeAsync(new EtcdRangeRequest { Key = ZeroKey, Revision = revision, CountOnly = true }, options),
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (EtcdErrors.IsCompacted(e))
        {
            return false;
        }
    }

    private async Task<TxnResponse> TransactAsync(TxnRequest txn, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(options => _kv.TxnAsync(txn, options), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (EtcdErrors.IsLeaseNotFound(e))
        {
            throw new InvalidOperationException($"lease not found: {e.Status.Detail}", e);
        }
    }

    /// <summary>
    /// Runs one request with the configured deadline. Errors that callers handle by kind
    /// (compacted, future revision, missing lease) stay <see cref="RpcException"/>s here;
    /// anything else becomes <see cref="StoreUnavailableException"/>.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        var options = RequestOptions(cancellationToken);
        try
        {
            return await call(options).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (EtcdErrors.IsCancellation(e, cancellationToken))
        {
            throw new OperationCanceledException("etcd request canceled", e, cancellationToken);
        }
        catch (RpcException e) when (!EtcdErrors.IsCompacted(e) && !EtcdErrors.IsFutureRevision(e) && !EtcdErrors.IsLeaseNotFound(e))
        {
            throw EtcdErrors.Unavailable(e);
        }
    }

    /// <summary>
    /// Options of one request: the deadline, and wait-for-ready, so that a request made while
    /// the connection is being re-established (a member restarting) waits for it instead of
    /// failing at once. Nothing is sent before the connection is up, so this is safe for writes.
    /// </summary>
    private CallOptions RequestOptions(CancellationToken cancellationToken) =>
        new CallOptions(deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: cancellationToken).WithWaitForReady();

    private static WriteResult FailedGuard(TxnResponse response, long revision)
    {
        var current = response.Responses[0].ResponseRange.Kvs;
        return current.Count == 0
            ? new WriteResult(WriteOutcome.NotFound, revision, null)
            : new WriteResult(WriteOutcome.Conflict, revision, ToKeyValue(current[0]));
    }

    private static Compare Exists(ByteString key) =>
        new() { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Greater, CreateRevision = 0 };

    private static Compare ModRevisionIs(ByteString key, long revision) =>
        new() { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision };

    /// <summary>etcd's range end for a prefix; "\0" means "every key from the start key on".</summary>
    private static ByteString RangeEnd(string prefix)
    {
        byte[]? end = KeyRanges.PrefixEnd(KeyRanges.Utf8(prefix));
        return end is null ? ZeroKey : UnsafeByteOperations.UnsafeWrap(end);
    }

    internal static KeyValue ToKeyValue(EtcdKeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.Memory, kv.CreateRevision, kv.ModRevision, kv.Lease);

    private static void InterlockedMax(ref long location, long value)
    {
        long seen = Volatile.Read(ref location);
        while (value > seen)
        {
            long previous = Interlocked.CompareExchange(ref location, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
