namespace Stevedore.Client.Informers;

/// <summary>
/// Receives the changes an informer sees, in order, on a dedicated task per handler (a slow
/// handler delays only itself). Handlers should only enqueue keys; objects are shared, read-only.
/// </summary>
public interface IResourceEventHandler<in T>
{
    /// <param name="isInInitialList">True while the informer delivers its first list.</param>
    void OnAdd(T obj, bool isInInitialList);

    /// <summary>Also called with the same object twice on a periodic resync.</summary>
    void OnUpdate(T oldObj, T newObj);

    /// <param name="finalStateUnknown">
    /// The deletion was inferred on a relist (upstream DeletedFinalStateUnknown); <paramref name="obj"/> may be stale.
    /// </param>
    void OnDelete(T obj, bool finalStateUnknown);
}
