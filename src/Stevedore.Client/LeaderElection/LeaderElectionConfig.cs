using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stevedore.Client.LeaderElection;

/// <summary>
/// Where the lock lives and how it is timed; the defaults are upstream's
/// (15 s lease, 10 s renew deadline, 2 s retry).
/// </summary>
public sealed record LeaderElectionConfig
{
    /// <summary>Namespace of the coordination.k8s.io/v1 Lease (often kube-system).</summary>
    public required string LeaseNamespace { get; init; }

    public required string LeaseName { get; init; }

    /// <summary>This candidate's unique identity, for example hostname plus a random suffix.</summary>
    public required string Identity { get; init; }

    /// <summary>How long others wait after the last observed renewal before taking over.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The leader gives up if it could not renew for this long; must be shorter than the lease.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time between attempts to acquire or renew.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>On cancellation, clear the holder so a successor does not wait for the lease to expire.</summary>
    public bool ReleaseOnCancel { get; init; } = true;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILogger Logger { get; init; } = NullLogger.Instance;
}
