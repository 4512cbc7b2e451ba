using k8s;
using k8s.Models;
using Stevedore.Client.Cache;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Informers;

/// <summary>
/// Keeps a store in step with the server: lists (all pages) and replaces the store, then watches
/// from the list's resourceVersion with bookmarks. A watch that ends is resumed from the last
/// resourceVersion seen (bookmarks advance it without touching the store); a 410 Gone / Expired
/// answer means the history is gone, so it relists. Network and server errors are retried with
/// exponential backoff.
/// </summary>
public sealed partial class Reflector<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListerWatcher<T> _listerWatcher;
    private readonly IReflectorStore<T> _store;
    private readonly ReflectorOptions _options;
    private volatile string _lastSyncResourceVersion = "";
    private TimeSpan _backoff;

    public Reflector(IListerWatcher<T> listerWatcher, IReflectorStore<T> store, ReflectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(listerWatcher);
        ArgumentNullException.ThrowIfNull(store);
        _listerWatcher = listerWatcher;
        _store = store;
        _options = options ?? new ReflectorOptions();
        _backoff = _options.InitialBackoff;
    }

    /// <summary>The resourceVersion of the last list, watch event or bookmark applied.</summary>
    public string LastSyncResourceVersion => _lastSyncResourceVersion;

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var resync = _options.ResyncPeriod > TimeSpan.Zero
            ? _options.Time.CreateTimer(_ => _store.Resync(), null, _options.ResyncPeriod, _options.ResyncPeriod)
            : null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ListAndWatchAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListFailed(_options.Logger, typeof(T).Name, ex);
                if (!await BackOffAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>One list followed by watches; returns when a relist is needed.</summary>
    private async Task ListAndWatchAsync(CancellationToken cancellationToken)
    {
        var resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
        _backoff = _options.InitialBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            var timeout = _options.MinWatchTimeout * (1 + Random.Shared.NextDouble());
            var options = new ListOptions
            {
                ResourceVersion = resourceVersion,
                AllowWatchBookmarks = true,
                TimeoutSeconds = Math.Max(1, (int)timeout.TotalSeconds),
            };
            var eventsSeen = 0;
            try
            {
                await foreach (var e in _listerWatcher.WatchAsync(options, cancellationToken).ConfigureAwait(false))
                {
                    if (e.Type == WatchEventType.Error)
                    {
                        if (e.IsExpired)
                        {
                            LogExpired(_options.Logger, typeof(T).Name, resourceVersion, e.Status?.Message);
                            return;
                        }

                        throw new InvalidOperationException($"watch of {typeof(T).Name} failed: {e.Status?.Code} {e.Status?.Reason} {e.Status?.Message}");
                    }

                    var obj = e.Object!;
                    switch (e.Type)
                    {
                        case WatchEventType.Added:
                            _store.Add(obj);
                            break;
                        case WatchEventType.Modified:
                            _store.Update(obj);
                            break;
                        case WatchEventType.Deleted:
                            _store.Delete(obj);
                            break;
                    }

                    eventsSeen++;
                    resourceVersion = obj.Metadata?.ResourceVersion ?? resourceVersion;
                    _lastSyncResourceVersion = resourceVersion;
                    _backoff = _options.InitialBackoff;
                }
            }
            catch (ResourceExpiredException ex)
            {
                LogExpired(_options.Logger, typeof(T).Name, resourceVersion, ex.Message);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                // The connection broke: the resourceVersion is still good, resume the watch.
                LogWatchFailed(_options.Logger, typeof(T).Name, resourceVersion, ex);
                if (!await BackOffAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (eventsSeen == 0 && !await BackOffAsync(cancellationToken).ConfigureAwait(false))
            {
                // A watch that closes at once without a single event would otherwise spin.
                return;
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var options = new ListOptions { Limit = _options.PageSize > 0 ? _options.PageSize : null };
        ResourceList<T> page;
        do
        {
            page = await _listerWatcher.ListAsync(options, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            options = options with { Continue = page.Continue };
        }
        while (page.Continue is not null);

        _store.Replace(items, page.ResourceVersion);
        _lastSyncResourceVersion = page.ResourceVersion;
        LogListed(_options.Logger, typeof(T).Name, items.Count, page.ResourceVersion);
        return page.ResourceVersion;
    }

    /// <summary>Waits the current backoff (with jitter) and doubles it; false when cancelled.</summary>
    private async Task<bool> BackOffAsync(CancellationToken cancellationToken)
    {
        var delay = _backoff * (1 + (Random.Shared.NextDouble() * 0.2));
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        try
        {
            await Task.Delay(delay, _options.Time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is HttpRequestException or IOException or TimeoutException or OperationCanceledException
        || ex.InnerException is HttpRequestException or IOException;
}
