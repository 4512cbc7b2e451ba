namespace Stevedore.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task<WriteResult> CreateAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        byte[] bytes = WriteSession.AsArray(value);
        return WriteAsync(session => session.Create(key, bytes, leaseId), cancellationToken);
    }

    public Task<WriteResult> UpdateAsync(
        string key, ReadOnlyMemory<byte> value, long expectedModRevision, long leaseId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        byte[] bytes = WriteSession.AsArray(value);
        return WriteAsync(session => session.Update(key, bytes, expectedModRevision, leaseId), cancellationToken);
    }

    public Task<WriteResult> DeleteAsync(string key, long expectedModRevision, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return WriteAsync(session => session.Delete(key, expectedModRevision), cancellationToken);
    }
}
