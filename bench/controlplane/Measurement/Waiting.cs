namespace ControlPlaneBench.Measurement;

/// <summary>Waits for a scenario's goal while watching for a stall (no progress for too long) and a broken watch.</summary>
public static class Waiting
{
    /// <summary>
    /// Waits for <paramref name="goal"/>. Every second <paramref name="progress"/> is read; if it has
    /// not changed for <paramref name="stallTimeout"/>, or <paramref name="watch"/> ends first, it throws.
    /// Every 5 s the progress is written with <paramref name="report"/>.
    /// </summary>
    public static async Task UntilAsync(Task goal, Task watch, Func<string> progress, TimeSpan stallTimeout, Action<string> report, CancellationToken cancellationToken)
    {
        var last = progress();
        var lastChange = DateTime.UtcNow;
        var lastReport = DateTime.UtcNow;
        while (!goal.IsCompleted)
        {
            await Task.WhenAny(goal, watch, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
            if (goal.IsCompleted)
            {
                break;
            }

            if (watch.IsCompleted)
            {
                await watch;
                throw new InvalidOperationException("the watch ended early");
            }

            var now = progress();
            if (now != last)
            {
                last = now;
                lastChange = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - lastChange > stallTimeout)
            {
                throw new TimeoutException($"no progress for {stallTimeout.TotalSeconds:F0} s: {now}");
            }

            if (DateTime.UtcNow - lastReport >= TimeSpan.FromSeconds(5))
            {
                lastReport = DateTime.UtcNow;
                report(now);
            }
        }

        await goal;
    }
}
