namespace Stevedore.Controllers.GarbageCollector;

/// <summary>Enough to address an object in the API (and to guard a write with a UID precondition).</summary>
public sealed record ObjectIdentity(string ApiVersion, string Kind, string? Namespace, string Name, string Uid);
