namespace Stevedore.Storage.Sqlite;

/// <summary>A unit of work queued for the writer loop; runs inside a write transaction.</summary>
internal abstract class WriteOperation
{
    /// <summary>Does the work; throwing rolls back the transaction it shares with others.</summary>
    public abstract void Execute(WriteSession session);

    /// <summary>Reports the result once the transaction is durable.</summary>
    public abstract void Complete();

    public abstract void Fail(Exception error);
}

/// <summary>A write operation whose result is <typeparamref name="T"/>.</summary>
internal sealed class WriteOperation<T>(Func<WriteSession, T> work) : WriteOperation
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    public Task<T> Task => _completion.Task;

    public override void Execute(WriteSession session) => _result = work(session);

    public override void Complete() => _completion.TrySetResult(_result!);

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
