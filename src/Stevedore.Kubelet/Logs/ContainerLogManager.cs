using Grpc.Core;
using Microsoft.Extensions.Logging;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Cri;

namespace Stevedore.Kubelet.Logs;

/// <summary>
/// Container log rotation, as upstream's container log manager: every <see cref="ContainerLogPolicy.MonitorInterval"/>
/// each running container's log (its CRI <c>log_path</c>) that reached <see cref="ContainerLogPolicy.MaxSize"/> is
/// renamed to <c>&lt;log&gt;.&lt;timestamp&gt;</c> and the runtime told to reopen it (CRI <c>ReopenContainerLog</c>);
/// older rotated files are gzipped and the oldest deleted so that at most <see cref="ContainerLogPolicy.MaxFiles"/>
/// remain. A failed reopen renames the file back, to be tried again next round. A log found missing is reopened.
/// </summary>
public sealed partial class ContainerLogManager(CriConnection cri, ContainerLogPolicy policy, TimeProvider time, ILogger<ContainerLogManager> logger)
{
    public ContainerLogPolicy Policy => policy;

    /// <summary>Rotates what needs it every interval until cancelled; failures are logged and retried next round.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(policy.MonitorInterval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            await RotateAllAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One round over the running containers; returns how many logs were rotated.</summary>
    public async Task<int> RotateAllAsync(CancellationToken cancellationToken)
    {
        ListContainersResponse running;
        try
        {
            running = await cri.Runtime.ListContainersAsync(
                new ListContainersRequest { Filter = new ContainerFilter { State = new ContainerStateValue { State = ContainerState.ContainerRunning } } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            LogListFailed(logger, ex.Status.Detail);
            return 0;
        }

        var rotated = 0;
        foreach (var container in running.Containers)
        {
            try
            {
                if (await RotateIfNeededAsync(container.Id, cancellationToken).ConfigureAwait(false))
                {
                    rotated++;
                }
            }
            catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
            {
                LogRotateFailed(logger, container.Id, ex.Status.Detail);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogRotateFailed(logger, container.Id, ex.Message);
            }
        }

        return rotated;
    }

    /// <summary>Rotates the container's log when it reached the size limit; true when it did.</summary>
    public async Task<bool> RotateIfNeededAsync(string containerId, CancellationToken cancellationToken)
    {
        Stevedore.Cri.V1.ContainerStatusResponse status;
        try
        {
            status = await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // Removed since the list (its pod is being deleted): nothing to rotate.
            return false;
        }

        var path = status.Status?.LogPath;
        // Only running containers, as upstream: one that stopped since the list may have had its logs removed already.
        if (string.IsNullOrEmpty(path) || status.Status?.State != ContainerState.ContainerRunning)
        {
            return false;
        }

        var current = new FileInfo(path);
        if (!current.Exists)
        {
            // Renamed away by a rotation whose reopen never happened (say the agent stopped in between).
            await ReopenAsync(containerId, cancellationToken).ConfigureAwait(false);
            current.Refresh();
            if (!current.Exists)
            {
                return false;
            }
        }

        if (current.Length < policy.MaxSize)
        {
            return false;
        }

        var plan = LogRotationPlan.For(path, Directory.EnumerateFiles(current.DirectoryName!, current.Name + ".*"), policy.MaxFiles, time.GetUtcNow());
        if (plan is null)
        {
            return false;
        }

        foreach (var file in plan.Remove)
        {
            File.Delete(file);
        }

        foreach (var file in plan.Compress)
        {
            LogCompression.Compress(file);
        }

        File.Move(path, plan.RotateTo);
        try
        {
            await ReopenAsync(containerId, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The runtime still writes to the renamed file: give it its name back and try again next round.
            File.Move(plan.RotateTo, path, overwrite: true);
            throw;
        }

        LogRotated(logger, containerId, path, current.Length);
        return true;
    }

    /// <summary>
    /// Deletes every file of a removed container's log: the current one and the rotated ones (upstream's
    /// <c>Clean</c>). Called with the CRI log path before the container is removed.
    /// </summary>
    public static void RemoveLogFiles(string logPath)
    {
        if (string.IsNullOrEmpty(logPath) || Path.GetDirectoryName(logPath) is not { } dir || !Directory.Exists(dir))
        {
            return;
        }

        File.Delete(logPath);
        foreach (var file in Directory.EnumerateFiles(dir, Path.GetFileName(logPath) + ".*"))
        {
            File.Delete(file);
        }
    }

    private Task ReopenAsync(string containerId, CancellationToken cancellationToken) =>
        cri.Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = containerId }, cancellationToken: cancellationToken).ResponseAsync;

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the log of container {ContainerId} ({Path}, {Bytes} bytes)")]
    private static partial void LogRotated(ILogger logger, string containerId, string path, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log rotation of container {ContainerId} failed: {Error}")]
    private static partial void LogRotateFailed(ILogger logger, string containerId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing containers for log rotation failed: {Error}")]
    private static partial void LogListFailed(ILogger logger, string error);
}
