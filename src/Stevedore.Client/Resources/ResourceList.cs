namespace Stevedore.Client.Resources;

/// <summary>One page of a list: the items and the list's resourceVersion (where a watch should start).</summary>
public sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion, string? Continue);
