using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime;

/// <summary>Log reopening (CRI <c>ReopenContainerLog</c>): the second half of a log rotation.</summary>
public sealed partial class ContainerEngine
{
    /// <summary>How long the supervisor gets to create the new log file.</summary>
    private static readonly TimeSpan LogReopenTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Makes the running container's supervisor write to a fresh file at the container's log path (after
    /// the caller renamed the old one away), and returns once that file exists. A container that does
    /// not run has no log to reopen: <see cref="EngineErrorKind.Conflict"/>, as containerd refuses it.
    /// </summary>
    public async Task ReopenLogAsync(string idOrName, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status != ContainerStatus.Running)
        {
            throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is not running");
        }

        var supervisor = record.SupervisorPid;
        if (!LogReopenSignal.IsCaughtBy(supervisor))
        {
            throw new EngineException(EngineErrorKind.Runtime, $"the supervisor of container {record.Name} (pid {supervisor}) cannot reopen its log; it predates log reopening or is gone");
        }

        if (!LogReopenSignal.Send(supervisor))
        {
            throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is not running");
        }

        var path = Containers.PathsOf(record.Id).LogOf(record.Options);
        var deadline = Options.Time.GetUtcNow() + LogReopenTimeout;
        while (!File.Exists(path))
        {
            if (Options.Time.GetUtcNow() > deadline)
            {
                throw new EngineException(EngineErrorKind.Runtime, $"container {record.Name} did not reopen its log {path} within {LogReopenTimeout.TotalSeconds}s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), Options.Time, cancellationToken);
        }
    }
}
