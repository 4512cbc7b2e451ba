namespace Stevedore.Client.WorkQueues;

/// <summary>Ready-made limiters.</summary>
public static class RateLimiters
{
    /// <summary>
    /// Upstream's controller default: per-item backoff from 5 ms to 1000 s, and overall at most
    /// 10 retries per second with bursts of 100, whichever is slower.
    /// </summary>
    public static IRateLimiter<T> DefaultController<T>(TimeProvider? time = null)
        where T : notnull => new MaxOfRateLimiter<T>(
            new ItemExponentialFailureRateLimiter<T>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)),
            new TokenBucketRateLimiter<T>(10, 100, time));
}
