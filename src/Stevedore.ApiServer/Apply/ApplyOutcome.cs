using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// The result of a server-side apply: either the merged object with its new managedFields, or
/// the conflicts that stopped it (HTTP 409 Conflict, reason Conflict, one
/// <c>FieldManagerConflict</c> cause per conflict).
/// </summary>
public sealed record ApplyOutcome
{
    /// <summary>The object to store; null when there are conflicts.</summary>
    public JsonObject? Object { get; init; }

    public IReadOnlyList<ApplyConflict> Conflicts { get; init; } = [];

    /// <summary>False when the apply changed nothing at all (the live object comes back as is).</summary>
    public bool Changed { get; init; }

    public bool Succeeded => Conflicts.Count == 0;

    /// <summary>The upstream message, e.g. <c>Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas</c>.</summary>
    public string? ConflictMessage => Conflicts.Count switch
    {
        0 => null,
        1 => $"Apply failed with 1 conflict: conflict with {Conflicts[0].ManagerDisplay}: {Conflicts[0].Path}",
        _ => $"Apply failed with {Conflicts.Count} conflicts: " + string.Join('\n', Conflicts
            .GroupBy(c => c.ManagerDisplay)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Select(c => $"- {c.Path}").Prepend($"conflicts with {g.Key}:"))),
    };
}
