using System.Diagnostics;

namespace Stevedore.Network.Proxy;

/// <summary>What one sync of the <see cref="ServiceProxy"/> did: the apply result or the error, and the rule set's size.</summary>
public sealed record ProxySyncReport(long Generation, int ServicePorts, int Chains, int Rules, IReadOnlyList<string> Problems, TimeSpan RenderTime, ProxyApplyResult? Applied, Exception? Error);

/// <summary>
/// A node's service proxy: callers hand it the complete list of service ports whenever something
/// changes (<see cref="Update"/>); <see cref="RunAsync"/> renders and applies the latest list, at most once
/// per <see cref="ServiceProxyOptions.MinSyncInterval"/>, so a burst of changes costs one transaction.
/// A failed sync is retried (after at most a second) with whatever is latest then. Stopping leaves the
/// rules in place, as kube-proxy does, so services keep working across an agent restart;
/// <see cref="CleanupAsync"/> removes them.
/// </summary>
public sealed class ServiceProxy
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly Action<ProxySyncReport>? _onSync;
    private readonly TimeProvider _time;
    private IReadOnlyCollection<ProxyService>? _pending;
    private long _requested;
    private long _applied;
    private TaskCompletionSource _appliedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServiceProxy(ServiceProxyOptions options, Action<ProxySyncReport>? onSync = null, TimeProvider? time = null)
    {
        options.Validate();
        Options = options;
        Table = new ProxyTable(options.TableName);
        _onSync = onSync;
        _time = time ?? TimeProvider.System;
    }

    public ServiceProxyOptions Options { get; }

    public ProxyTable Table { get; }

    /// <summary>The last sync's report, failed or not.</summary>
    public ProxySyncReport? LastSync { get; private set; }

    /// <summary>Hands over the complete desired state; only the latest one counts. Thread-safe, returns at once.</summary>
    public long Update(IReadOnlyCollection<ProxyService> services)
    {
        long generation;
        lock (_lock)
        {
            _pending = services;
            generation = ++_requested;
        }

        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: the loop picks up the latest state anyway.
            }
        }

        return generation;
    }

    /// <summary>Completes once the state handed over by the latest <see cref="Update"/> (at the time of the call) is in the kernel.</summary>
    public async Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        long target;
        lock (_lock)
        {
            target = _requested;
        }

        while (true)
        {
            Task signal;
            lock (_lock)
            {
                if (_applied >= target)
                {
                    return;
                }

                signal = _appliedSignal.Task;
            }

            await signal.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Applies updates until cancelled. Turns on bridge netfilter first when asked to.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Options.EnsureBridgeNetfilter)
        {
            try
            {
                await BridgeNetfilter.EnsureAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Services still work from other nodes and the host; say why pod-to-pod through a Service may not.
                Report(new ProxySyncReport(0, 0, 0, 0, [ex.Message], TimeSpan.Zero, null, ex));
            }
        }

        var lastSync = long.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _changed.WaitAsync(cancellationToken);
                if (lastSync != long.MinValue)
                {
                    var wait = Options.MinSyncInterval - _time.GetElapsedTime(lastSync);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _time, cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            lastSync = _time.GetTimestamp();
            var report = await SyncOnceAsync(cancellationToken);
            if (report?.Error is not null && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(RetryDelay, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                Retrigger();
            }
        }
    }

    /// <summary>Renders and applies the latest state now (what <see cref="RunAsync"/> does per round); null when nothing was handed over yet.</summary>
    public async Task<ProxySyncReport?> SyncOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyCollection<ProxyService>? services;
        long generation;
        lock (_lock)
        {
            services = _pending;
            generation = _requested;
        }

        if (services is null)
        {
            return null;
        }

        var render = Stopwatch.StartNew();
        ProxyRuleSet rules;
        try
        {
            rules = ProxyRenderer.Render(services, Options);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            return Report(new ProxySyncReport(generation, services.Count, 0, 0, [], render.Elapsed, null, ex));
        }

        var renderTime = render.Elapsed;
        try
        {
            var applied = await Table.ApplyAsync(rules, cancellationToken);
            lock (_lock)
            {
                _applied = Math.Max(_applied, generation);
                _appliedSignal.TrySetResult();
                _appliedSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return Report(new ProxySyncReport(generation, services.Count, rules.Chains.Count, rules.RuleCount, rules.Problems, renderTime, applied, null));
        }
        catch (Exception ex) when (ex is NetworkCommandException or IOException or FileNotFoundException)
        {
            return Report(new ProxySyncReport(generation, services.Count, rules.Chains.Count, rules.RuleCount, rules.Problems, renderTime, null, ex));
        }
    }

    /// <summary>Removes the proxy's table (node cleanup; the agent's <c>--cleanup</c>).</summary>
    public Task CleanupAsync(CancellationToken cancellationToken) => Table.RemoveAsync(cancellationToken);

    private ProxySyncReport Report(ProxySyncReport report)
    {
        LastSync = report;
        _onSync?.Invoke(report);
        return report;
    }

    private void Retrigger()
    {
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }
}
