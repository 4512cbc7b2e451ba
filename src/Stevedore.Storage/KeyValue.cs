namespace Stevedore.Storage;

/// <summary>One key at one revision.</summary>
/// <param name="CreateRevision">Revision of the write that created the key.</param>
/// <param name="ModRevision">Revision of the last write to the key.</param>
/// <param name="LeaseId">Lease the key is attached to, 0 for none.</param>
public sealed record KeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision, long LeaseId);
