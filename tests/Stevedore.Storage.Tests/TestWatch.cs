namespace Stevedore.Storage.Tests;

/// <summary>
/// A watch under test: reads with a time limit (so a missing event fails instead of hanging)
/// and, when disposed, cancels and drains a read still in flight, so the original failure is
/// what a test reports.
/// </summary>
internal sealed class TestWatch : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _cancellation = new();
    private readonly IAsyncEnumerator<WatchEvent> _events;
    private Task<bool>? _pending;

    public TestWatch(IStore store, string prefix, long afterRevision) =>
        _events = store.WatchAsync(prefix, afterRevision, _cancellation.Token).GetAsyncEnumerator();

    /// <summary>Starts reading the next event without waiting for it (e.g. before a write).</summary>
    public void StartNext() => _pending ??= _events.MoveNextAsync().AsTask();

    public async Task<WatchEvent> NextAsync()
    {
        StartNext();
        var next = _pending!;
        if (await Task.WhenAny(next, Task.Delay(WaitLimit)) != next)
        {
            Assert.Fail($"no watch event within {WaitLimit}");
        }

        bool moved = await next;
        _pending = null;
        Assert.True(moved, "the watch ended");
        return _events.Current;
    }

    public async Task<List<WatchEvent>> TakeAsync(int count)
    {
        var events = new List<WatchEvent>(count);
        while (events.Count < count)
        {
            events.Add(await NextAsync());
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _cancellation.CancelAsync();
        if (_pending is not null)
        {
            try
            {
                await _pending;
            }
            catch (Exception)
            {
                // Cancellation, or the failure the test already reported.
            }
        }

        await _events.DisposeAsync();
        _cancellation.Dispose();
    }
}
