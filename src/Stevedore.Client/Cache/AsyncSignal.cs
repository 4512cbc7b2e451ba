namespace Stevedore.Client.Cache;

/// <summary>
/// Wakes every waiter when state changes; waiters re-check the state under their own lock.
/// Take <see cref="Task"/> and call <see cref="Pulse"/> only while holding that lock.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _next.Task;

    public void Pulse()
    {
        var current = _next;
        _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        current.TrySetResult();
    }
}
