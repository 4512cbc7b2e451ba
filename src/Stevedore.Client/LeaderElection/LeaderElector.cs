using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Stevedore.Client.Resources;

namespace Stevedore.Client.LeaderElection;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, as upstream: candidates try every retry
/// period to take a lease whose holder has not renewed for a lease duration (measured on the
/// local clock from when the record last changed, so clock skew does not matter); the leader
/// renews every retry period and steps down when it could not renew within the renew deadline.
/// Every write carries the lease's resourceVersion, so two candidates can never both win.
/// </summary>
public sealed partial class LeaderElector
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionConfig _config;
    private string? _observedRecord;
    private long _observedAt;
    private volatile string? _leader;
    private volatile bool _isLeader;

    public LeaderElector(IKubernetes client, LeaderElectionConfig config)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(config);
        if (config.RenewDeadline >= config.LeaseDuration || config.RetryPeriod >= config.RenewDeadline)
        {
            throw new ArgumentException("need RetryPeriod < RenewDeadline < LeaseDuration", nameof(config));
        }

        _client = client;
        _config = config;
    }

    /// <summary>Runs while this candidate leads; cancelled when leadership is lost or the elector stops.</summary>
    public Func<CancellationToken, Task>? OnStartedLeading { get; init; }

    /// <summary>Called once after leading ends (lost, released or cancelled).</summary>
    public Action? OnStoppedLeading { get; init; }

    /// <summary>Called when the observed holder changes (including to this candidate).</summary>
    public Action<string>? OnNewLeader { get; init; }

    public bool IsLeader => _isLeader;

    /// <summary>The holder identity last observed on the lease.</summary>
    public string? CurrentLeader => _leader;

    /// <summary>
    /// Campaigns until elected, leads until the lease is lost or <paramref name="cancellationToken"/>
    /// is cancelled, then returns (upstream processes exit at that point; a caller may also run again).
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!await AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = OnStartedLeading is { } start ? Task.Run(() => start(leading.Token), CancellationToken.None) : Task.CompletedTask;
        try
        {
            await RenewUntilLostAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _isLeader = false;
            await leading.CancelAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested && _config.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex)
            {
                LogLeadingFailed(_config.Logger, _config.Identity, ex);
            }

            OnStoppedLeading?.Invoke();
        }
    }

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
            {
                _isLeader = true;
                LogAcquired(_config.Logger, _config.Identity, _config.LeaseNamespace, _config.LeaseName);
                return true;
            }

            if (!await DelayAsync(_config.RetryPeriod, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return false;
    }

    private async Task RenewUntilLostAsync(CancellationToken cancellationToken)
    {
        var lastRenewal = _config.Time.GetTimestamp();
        while (await DelayAsync(_config.RetryPeriod, cancellationToken).ConfigureAwait(false))
        {
            if (await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false))
            {
                lastRenewal = _config.Time.GetTimestamp();
                continue;
            }

            if (_config.Time.GetElapsedTime(lastRenewal) >= _config.RenewDeadline || (_leader is { } holder && holder != _config.Identity))
            {
                LogLost(_config.Logger, _config.Identity, _config.LeaseNamespace, _config.LeaseName);
                return;
            }
        }
    }

    /// <summary>One attempt: create the lease, renew it, or take it over if it expired.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _config.Time.GetUtcNow().UtcDateTime;
        var durationSeconds = (int)Math.Ceiling(_config.LeaseDuration.TotalSeconds);
        V1Lease lease;
        try
        {
            lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_config.LeaseName, _config.LeaseNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ApiErrors.IsNotFound(ex))
        {
            var created = new V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new V1ObjectMeta { Name = _config.LeaseName, NamespaceProperty = _config.LeaseNamespace },
                Spec = new V1LeaseSpec
                {
                    HolderIdentity = _config.Identity,
                    LeaseDurationSeconds = durationSeconds,
                    AcquireTime = now,
                    RenewTime = now,
                    LeaseTransitions = 0,
                },
            };
            return await WriteAsync(() => _client.CoordinationV1.CreateNamespacedLeaseAsync(created, _config.LeaseNamespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogAttemptFailed(_config.Logger, _config.Identity, ex);
            return false;
        }

        var spec = lease.Spec ??= new V1LeaseSpec();
        var holder = spec.HolderIdentity ?? "";
        ObserveRecord(spec, holder);
        var heldByOther = holder.Length > 0 && holder != _config.Identity;
        if (heldByOther && _config.Time.GetElapsedTime(_observedAt) < _config.LeaseDuration)
        {
            return false;
        }

        if (holder != _config.Identity)
        {
            spec.LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1;
            spec.AcquireTime = now;
        }

        spec.HolderIdentity = _config.Identity;
        spec.LeaseDurationSeconds = durationSeconds;
        spec.RenewTime = now;

        // The resourceVersion read above makes this a compare-and-swap: a rival's write in between fails it.
        return await WriteAsync(() => _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _config.LeaseName, _config.LeaseNamespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private async Task<bool> WriteAsync(Func<Task<V1Lease>> write)
    {
        try
        {
            var written = await write().ConfigureAwait(false);
            ObserveRecord(written.Spec!, _config.Identity);
            return true;
        }
        catch (HttpOperationException ex) when (ApiErrors.IsConflict(ex))
        {
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAttemptFailed(_config.Logger, _config.Identity, ex);
            return false;
        }
    }

    /// <summary>Remembers when (on our clock) the lease record last changed.</summary>
    private void ObserveRecord(V1LeaseSpec spec, string holder)
    {
        var record = string.Join('|', holder, spec.RenewTime?.ToString("O", CultureInfo.InvariantCulture), spec.LeaseTransitions, spec.LeaseDurationSeconds);
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = _config.Time.GetTimestamp();
        }

        if (holder != _leader)
        {
            _leader = holder;
            if (holder.Length > 0)
            {
                OnNewLeader?.Invoke(holder);
            }
        }
    }

    /// <summary>Clears the holder (if still ours) so a successor can take over at once.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_config.RenewDeadline);
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_config.LeaseName, _config.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != _config.Identity)
            {
                return;
            }

            var now = _config.Time.GetUtcNow().UtcDateTime;
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = now;
            lease.Spec.AcquireTime = now;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _config.LeaseName, _config.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            LogReleased(_config.Logger, _config.Identity, _config.LeaseNamespace, _config.LeaseName);
        }
        catch (Exception ex)
        {
            LogAttemptFailed(_config.Logger, _config.Identity, ex);
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _config.Time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
