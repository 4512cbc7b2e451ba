namespace Stevedore.ApiServer.Http;

/// <summary>The authenticated caller of a request.</summary>
public sealed record RequestUser(string Name, string? Uid, IReadOnlyList<string> Groups);
