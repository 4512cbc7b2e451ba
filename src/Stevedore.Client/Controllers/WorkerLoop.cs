using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.WorkQueues;

namespace Stevedore.Client.Controllers;

/// <summary>
/// The canonical controller worker loop (upstream processNextWorkItem): take a key, sync it,
/// forget it on success, re-queue it rate-limited on failure, always mark it done. Nothing a
/// sync throws escapes the loop.
/// </summary>
public static partial class WorkerLoop
{
    /// <summary>
    /// Runs <paramref name="workers"/> workers until <paramref name="cancellationToken"/> is
    /// cancelled; then shuts the queue down and waits for in-flight syncs.
    /// </summary>
    public static async Task RunAsync<T>(RateLimitingQueue<T> queue, Func<T, CancellationToken, Task> sync, int workers, ILogger? logger, CancellationToken cancellationToken)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(sync);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        logger ??= NullLogger.Instance;
        using var registration = cancellationToken.Register(queue.ShutDown);
        var tasks = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            tasks[i] = Task.Run(
                async () =>
                {
                    while (await ProcessNextWorkItemAsync(queue, sync, logger, cancellationToken).ConfigureAwait(false))
                    {
                    }
                },
                CancellationToken.None);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Handles one item; false once the queue has shut down.</summary>
    public static async Task<bool> ProcessNextWorkItemAsync<T>(RateLimitingQueue<T> queue, Func<T, CancellationToken, Task> sync, ILogger logger, CancellationToken cancellationToken)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(sync);
        var (item, shuttingDown) = await queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
        if (shuttingDown)
        {
            return false;
        }

        try
        {
            await sync(item, cancellationToken).ConfigureAwait(false);
            queue.Forget(item);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogSyncFailed(logger ?? NullLogger.Instance, item.ToString(), queue.NumRequeues(item), ex);
            queue.AddRateLimited(item);
        }
        finally
        {
            queue.Done(item);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync of {Key} failed (requeues so far: {Requeues}); retrying with backoff")]
    private static partial void LogSyncFailed(ILogger logger, string? key, int requeues, Exception exception);
}
