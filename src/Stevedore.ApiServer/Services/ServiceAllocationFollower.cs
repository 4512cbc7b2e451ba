using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Watch;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// Rebuilds the <see cref="AllocationTable"/> from the stored Services at start and keeps it in
/// step with every stored change, including writes made by other API servers over the same etcd.
/// Reads only the watch cache: a list, then a watch from the list's revision; when the watch is
/// dropped (a slow consumer, a relist after compaction) it lists and watches again.
/// </summary>
public sealed partial class ServiceAllocationFollower : IAsyncDisposable
{
    private readonly WatchCache _services;
    private readonly CacheDispatcher _caches;
    private readonly AllocationTable _table;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Watcher? _watcher;
    private Task _loop = Task.CompletedTask;

    public ServiceAllocationFollower(WatchCache services, CacheDispatcher caches, AllocationTable table, ILogger logger)
    {
        _services = services;
        _caches = caches;
        _table = table;
        _logger = logger;
    }

    /// <summary>Loads every stored Service into the table (before the server takes requests), then follows changes.</summary>
    public void Start()
    {
        _watcher = Subscribe();
        _loop = Task.Run(() => FollowAsync(_stop.Token), CancellationToken.None);
    }

    private Watcher Subscribe()
    {
        while (true)
        {
            // Read the revision first: everything at or below it is in the list that follows.
            var revision = _caches.Revision;
            var stored = _services.List(WatchFilter.Everything)
                .Select(o => (Object: o.ToJsonObject(), o.Revision))
                .Where(o => Uid(o.Object) is not null)
                .Select(o => (Uid(o.Object)!, o.Revision, AllocationKeys.HeldBy(o.Object)))
                .ToList();
            Report(_table.Reset(stored, revision));
            try
            {
                return _services.Watch(WatchFilter.Everything, revision, sendInitialState: false);
            }
            catch (ApiException ex) when (ex.Code == 410)
            {
                // The cache was relisted between the two reads; list again.
            }
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _watcher!.Events.ReadAllAsync(cancellationToken))
                {
                    _watcher.Consumed();
                    Apply(e);
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                // The cache dropped this watcher (it fell behind, or the cache was rebuilt).
                LogResubscribe(_logger, _watcher.Overflowed);
                _watcher.Dispose();
                _watcher = Subscribe();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Apply(CachedEvent e)
    {
        var obj = e.Object.ToJsonObject();
        if (Uid(obj) is not { } uid)
        {
            return;
        }

        Report(e.Kind == WatchEventKind.Deleted
            ? _table.Observe(uid, e.Revision, [], final: true)
            : _table.Observe(uid, e.Revision, AllocationKeys.HeldBy(obj)));
    }

    private void Report(IReadOnlyList<AllocationTable.Conflict> conflicts)
    {
        foreach (var conflict in conflicts)
        {
            LogConflict(_logger, conflict.Key, conflict.HeldBy, conflict.ClaimedBy);
        }
    }

    private static string? Uid(JsonObject obj) => Json.GetString(Json.Metadata(obj), "uid");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _watcher?.Dispose();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key} is held by Service {HeldBy} and also by Service {ClaimedBy}; recreate one of them")]
    private static partial void LogConflict(ILogger logger, string key, string heldBy, string claimedBy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service allocation watch closed (overflowed: {Overflowed}); relisting")]
    private static partial void LogResubscribe(ILogger logger, bool overflowed);
}
