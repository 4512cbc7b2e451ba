namespace Stevedore.Client.Informers;

/// <summary>The type-independent face of an informer, so a factory can start and wait for all of them.</summary>
public interface ISharedInformer
{
    bool HasSynced { get; }

    bool IsStarted { get; }

    /// <summary>Lists, watches and dispatches until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Waits until the first list has reached the cache; false when cancelled first.</summary>
    Task<bool> WaitForCacheSyncAsync(CancellationToken cancellationToken);
}
