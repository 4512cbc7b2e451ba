using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Resources;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Watch;

/// <summary>
/// Keeps one <see cref="WatchCache"/> per resource up to date from a single store watch over
/// <c>/registry/</c>, and lets readers wait until the caches have caught up with a revision
/// (which is how a list "at the most recent version" stays consistent with writes just made).
/// </summary>
public sealed partial class CacheDispatcher : IAsyncDisposable
{
    private readonly IStore _store;
    private readonly ILogger _logger;
    private readonly Dictionary<string, WatchCache> _byPrefix = new(StringComparer.Ordinal);
    private readonly Dictionary<ApiResource, WatchCache> _byResource = [];
    private readonly Lock _waitersLock = new();
    private readonly List<(long Revision, TaskCompletionSource Done)> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _revision;

    public CacheDispatcher(IStore store, IEnumerable<ApiResource> resources, ILogger logger)
    {
        _store = store;
        _logger = logger;
        foreach (var resource in resources.Where(r => !r.IsVirtual))
        {
            var cache = new WatchCache(resource);
            _byPrefix[resource.StoragePrefix] = cache;
            _byResource[resource] = cache;
        }
    }

    /// <summary>The newest revision applied to every cache.</summary>
    public long Revision => Volatile.Read(ref _revision);

    public WatchCache For(ApiResource resource) => _byResource[resource];

    public bool TryGet(ApiResource resource, out WatchCache cache) => _byResource.TryGetValue(resource, out cache!);

    /// <summary>Lists every resource at one revision, then follows the store from there.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var revision = await LoadAsync(cancellationToken);
        _loop = Task.Run(() => FollowAsync(revision, _stop.Token), CancellationToken.None);
    }

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        var revision = await _store.GetCurrentRevisionAsync(cancellationToken);
        foreach (var (prefix, cache) in _byPrefix)
        {
            var items = new List<KeyValue>();
            string? after = null;
            while (true)
            {
                var page = await _store.RangeAsync(new RangeRequest(prefix, after, 5000, revision), cancellationToken);
                items.AddRange(page.Items);
                if (!page.More || page.Items.Count == 0)
                {
                    break;
                }

                after = page.Items[^1].Key;
            }

            cache.Reset(items, revision);
        }

        SetRevision(revision);
        return revision;
    }

    private async Task FollowAsync(long revision, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in _store.WatchAsync("/registry/", revision, cancellationToken))
                {
                    var cache = Route(change.Current.Key);
                    cache?.Apply(change);
                    revision = change.Revision;
                    SetRevision(revision);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreCompactedException ex)
            {
                // The history we needed is gone: rebuild every cache from a fresh list.
                LogRelist(_logger, ex.Message);
                revision = await RetryAsync(() => LoadAsync(cancellationToken), cancellationToken);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or IOException or InvalidOperationException)
            {
                LogWatchFailed(_logger, ex);
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    private static async Task<long> RetryAsync(Func<Task<long>> action, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await action();
            }
            catch (StoreUnavailableException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }

    private WatchCache? Route(string key)
    {
        // Keys are /registry/<plural>/... (core) or /registry/<group>/<plural>/...
        var first = key.IndexOf('/', "/registry/".Length);
        if (first < 0)
        {
            return null;
        }

        if (_byPrefix.TryGetValue(key[..(first + 1)], out var cache))
        {
            return cache;
        }

        var second = key.IndexOf('/', first + 1);
        return second > 0 && _byPrefix.TryGetValue(key[..(second + 1)], out cache) ? cache : null;
    }

    private void SetRevision(long revision)
    {
        Volatile.Write(ref _revision, revision);
        lock (_waitersLock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Revision <= revision)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes once every cache reflects <paramref name="revision"/>; false on timeout.</summary>
    public async Task<bool> WaitForRevisionAsync(long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Revision >= revision)
        {
            return true;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            if (Revision >= revision)
            {
                return true;
            }

            _waiters.Add((revision, done));
        }

        var finished = await Task.WhenAny(done.Task, Task.Delay(timeout, cancellationToken));
        return finished == done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store history compacted under the watch cache, relisting: {Reason}")]
    private static partial void LogRelist(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store watch failed, resuming")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception);
}
