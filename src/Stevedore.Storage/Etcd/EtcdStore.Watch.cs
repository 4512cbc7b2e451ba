using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Stevedore.Storage.Etcd;

public sealed partial class EtcdStore
{
    /// <summary>
    /// Makes etcd cancel the watch when its member loses the cluster leader, instead of
    /// leaving it silently stalled; the watch is then re-established on a healthy member.
    /// </summary>
    private static readonly Metadata RequireLeader = new() { { "hasleader", "true" } };

    /// <summary>
    /// One etcd watch stream at a time; when it breaks (member restart, member loss, leader
    /// loss) a new one starts at the last delivered revision + 1, after a growing pause.
    /// Events are neither lost nor repeated across the switch.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        byte[] prefixBytes = KeyRanges.Utf8(prefix);
        var key = prefixBytes.Length == 0 ? ZeroKey : ByteString.CopyFrom(prefixBytes);
        var rangeEnd = RangeEnd(prefix);
        long delivered = afterRevision;
        var delay = _options.InitialWatchRetryDelay;

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Events of one revision arrive together (a lease expiry deletes several keys at
            // one revision), so only what an earlier stream already delivered is skipped.
            long floor = delivered;
            using var call = _watch.Watch(new CallOptions(headers: RequireLeader, cancellationToken: cancellationToken).WithWaitForReady());
            var create = new WatchRequest
            {
                CreateRequest = new WatchCreateRequest { Key = key, RangeEnd = rangeEnd, StartRevision = floor + 1, PrevKv = true },
            };
            if (await TrySendAsync(call, create, cancellationToken).ConfigureAwait(false))
            {
                while (await NextResponseAsync(call, cancellationToken).ConfigureAwait(false) is { } response)
                {
                    if (response.CompactRevision != 0)
                    {
                        throw new StoreCompactedException(floor, response.CompactRevision);
                    }

                    if (response.Canceled)
                    {
                        break;
                    }

                    if (response.Created)
                    {
                        delay = _options.InitialWatchRetryDelay;
                    }

                    foreach (var change in response.Events)
                    {
                        if (change.Kv.ModRevision <= floor)
                        {
                            continue;
                        }

                        yield return ToWatchEvent(change);
                        delivered = change.Kv.ModRevision;
                    }
                }
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxWatchRetryDelay.Ticks));
        }
    }

    private static async Task<bool> TrySendAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, WatchRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (!EtcdErrors.IsCancellation(e, cancellationToken))
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // The call already ended (the server went away while we were writing).
            return false;
        }
    }

    /// <summary>The next response, or null when the stream broke or ended (time to re-watch).</summary>
    private static async Task<WatchResponse?> NextResponseAsync(
        AsyncDuplexStreamingCall<WatchRequest, WatchResponse> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current : null;
        }
        catch (RpcException e) when (EtcdErrors.IsCancellation(e, cancellationToken))
        {
            throw new OperationCanceledException("watch canceled", e, cancellationToken);
        }
        catch (RpcException)
        {
            return null;
        }
    }

    private static WatchEvent ToWatchEvent(Mvccpb.Event change)
    {
        var previous = change.PrevKv is null ? null : ToKeyValue(change.PrevKv);
        if (change.Type == Mvccpb.Event.Types.EventType.Delete)
        {
            return new WatchEvent(
                WatchEventType.Delete,
                new KeyValue(change.Kv.Key.ToStringUtf8(), ReadOnlyMemory<byte>.Empty, 0, change.Kv.ModRevision, 0),
                previous);
        }

        return new WatchEvent(WatchEventType.Put, ToKeyValue(change.Kv), previous);
    }
}
