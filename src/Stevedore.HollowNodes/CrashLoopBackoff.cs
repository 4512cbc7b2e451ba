namespace Stevedore.HollowNodes;

/// <summary>Kubelet-style container restart back-off: initial delay doubling per restart, capped.</summary>
public static class CrashLoopBackoff
{
    /// <summary>The wait before restart number <paramref name="restartCount"/> (1 = the first restart).</summary>
    public static TimeSpan Delay(int restartCount, TimeSpan initial, TimeSpan max)
    {
        if (restartCount <= 1)
        {
            return initial <= max ? initial : max;
        }

        var delay = initial;
        for (var i = 1; i < restartCount && delay < max; i++)
        {
            delay += delay;
        }

        return delay < max ? delay : max;
    }
}
