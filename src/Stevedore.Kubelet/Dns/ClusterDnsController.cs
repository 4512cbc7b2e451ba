using System.Diagnostics;
using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Informers;
using Stevedore.Network.Dns;

namespace Stevedore.Kubelet.Dns;

/// <summary>
/// Keeps the DNS records in step with the cluster: Service and EndpointSlice events (from the
/// shared informers, so the service proxy watching the same resources costs no second watch)
/// only mark the records stale; a loop rebuilds the snapshot from the informer caches at most
/// once per <see cref="Debounce"/> and publishes it atomically. Each Service's records are kept
/// with the objects they came from and made again only when the Service or one of its slices is a
/// different object (informers replace an object on every change), so a rebuild after one change
/// is a merge, not the whole zone. Queries never reach the API.
/// </summary>
public sealed partial class ClusterDnsController
{
    private readonly SharedInformer<V1Service> _services;
    private readonly SharedInformer<V1EndpointSlice> _slices;
    private readonly DnsRecordStore _store;
    private readonly DnsZoneOptions _zone;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<bool> _stale = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<(string, string), CachedRecords> _cache = [];
    private uint _serial;

    /// <summary>Takes the informers from <paramref name="informers"/>; start the factory after constructing every user of it.</summary>
    public ClusterDnsController(SharedInformerFactory informers, DnsRecordStore store, DnsZoneOptions zone, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(informers);
        _services = informers.GetInformer<V1Service>();
        _slices = informers.GetInformer<V1EndpointSlice>();
        _store = store;
        _zone = zone;
        _time = time;
        _logger = logger;
    }

    /// <summary>How long a burst of changes is collected before one rebuild (a rolling update moves many endpoints at once).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Publishes the first snapshot once both caches have synced, then a new one after each burst of changes, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var services = _services.AddEventHandler(new ResourceEventHandler<V1Service>(_ => MarkStale(), (_, _) => MarkStale(), _ => MarkStale()));
        using var slices = _slices.AddEventHandler(new ResourceEventHandler<V1EndpointSlice>(_ => MarkStale(), (_, _) => MarkStale(), _ => MarkStale()));
        if (!await _services.WaitForCacheSyncAsync(cancellationToken) || !await _slices.WaitForCacheSyncAsync(cancellationToken))
        {
            return;
        }

        try
        {
            while (true)
            {
                // Events of the initial lists are already folded into the first rebuild.
                _stale.Reader.TryRead(out _);
                try
                {
                    Rebuild();
                }
#pragma warning disable CA1031 // A bad object must not stop DNS updates: the last good snapshot stays, the next change tries again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogRebuildFailed(_logger, ex);
                }

                await _stale.Reader.ReadAsync(cancellationToken);
                await Task.Delay(Debounce, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void MarkStale() => _stale.Writer.TryWrite(true);

    /// <summary>Builds a snapshot from the informer caches and publishes it (the loop calls this; so can a caller that wants it now).</summary>
    public DnsSnapshot Rebuild()
    {
        var started = Stopwatch.GetTimestamp();
        var slices = DnsRecordMapping.GroupByService(_slices.Lister.List());
        var records = new List<DnsServiceRecords>();
        var present = new HashSet<(string, string)>();
        var remade = 0;
        foreach (var service in _services.Lister.List())
        {
            var key = (service.Metadata?.NamespaceProperty ?? "", service.Metadata?.Name ?? "");
            var mine = slices.GetValueOrDefault(key) ?? [];
            present.Add(key);
            if (!_cache.TryGetValue(key, out var cached) || !cached.CameFrom(service, mine))
            {
                var mapped = DnsRecordMapping.ToDnsService(service, mine);
                cached = new CachedRecords(service, [.. mine], mapped is null ? null : DnsSnapshotBuilder.RecordsOf(_zone, mapped));
                _cache[key] = cached;
                remade++;
            }

            if (cached.Records is { } serviceRecords)
            {
                records.Add(serviceRecords);
            }
        }

        foreach (var gone in _cache.Keys.Where(k => !present.Contains(k)).ToList())
        {
            _cache.Remove(gone);
        }

        // The SOA serial only ever grows: seconds since the epoch, or one more than the last.
        _serial = Math.Max(_serial + 1, (uint)_time.GetUtcNow().ToUnixTimeSeconds());
        var snapshot = DnsSnapshotBuilder.Build(_zone, records, _serial);
        _store.Publish(snapshot);
        LogPublished(_logger, snapshot.Services, remade, snapshot.Names, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return snapshot;
    }

    /// <summary>A Service's records and the very objects they were made from.</summary>
    private sealed record CachedRecords(V1Service Service, V1EndpointSlice[] Slices, DnsServiceRecords? Records)
    {
        public bool CameFrom(V1Service service, List<V1EndpointSlice> slices) =>
            ReferenceEquals(Service, service) && Slices.Length == slices.Count && slices.All(s => Array.IndexOf(Slices, s) >= 0);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuilding the DNS records failed; the previous records are still served")]
    private static partial void LogRebuildFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DNS records rebuilt: {Services} Services ({Remade} made again), {Names} names in {Milliseconds:F1} ms")]
    private static partial void LogPublished(ILogger logger, int services, int remade, int names, double milliseconds);
}
