using k8s;
using Microsoft.Extensions.Logging;
using Stevedore.Client.LeaderElection;

namespace Stevedore.Controllers.Host;

/// <summary>Runs work only while holding a Lease in kube-system; campaigns again after losing it.</summary>
public static class LeaderElected
{
    /// <summary>The identity upstream components use: hostname plus a random suffix.</summary>
    public static string NewIdentity() => Environment.MachineName + "_" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Campaigns for <c>kube-system/<paramref name="leaseName"/></c> and runs <paramref name="work"/> while leading, until cancelled.</summary>
    public static async Task RunAsync(IKubernetes client, string leaseName, Func<CancellationToken, Task> work, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var identity = NewIdentity();
        while (!cancellationToken.IsCancellationRequested)
        {
            var elector = new LeaderElector(client, new LeaderElectionConfig
            {
                LeaseNamespace = "kube-system",
                LeaseName = leaseName,
                Identity = identity,
                Time = time,
                Logger = logger,
            })
            {
                OnStartedLeading = work,
            };
            try
            {
                await elector.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
