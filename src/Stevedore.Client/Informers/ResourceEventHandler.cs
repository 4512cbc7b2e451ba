namespace Stevedore.Client.Informers;

/// <summary>An <see cref="IResourceEventHandler{T}"/> made of delegates; any of them may be null.</summary>
public sealed class ResourceEventHandler<T> : IResourceEventHandler<T>
{
    private readonly Action<T>? _onAdd;
    private readonly Action<T, T>? _onUpdate;
    private readonly Action<T>? _onDelete;

    public ResourceEventHandler(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null)
    {
        _onAdd = onAdd;
        _onUpdate = onUpdate;
        _onDelete = onDelete;
    }

    public void OnAdd(T obj, bool isInInitialList) => _onAdd?.Invoke(obj);

    public void OnUpdate(T oldObj, T newObj) => _onUpdate?.Invoke(oldObj, newObj);

    public void OnDelete(T obj, bool finalStateUnknown) => _onDelete?.Invoke(obj);
}
