namespace Stevedore.Client.WorkQueues;

/// <summary>Decides how long an item waits before it is retried.</summary>
public interface IRateLimiter<in T>
{
    /// <summary>The delay for this retry of <paramref name="item"/>; counts the retry.</summary>
    TimeSpan When(T item);

    /// <summary>The item succeeded: forget its failures.</summary>
    void Forget(T item);

    /// <summary>How many times the item has been retried since it was last forgotten.</summary>
    int NumRequeues(T item);
}
