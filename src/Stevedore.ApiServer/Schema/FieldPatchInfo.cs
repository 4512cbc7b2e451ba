namespace Stevedore.ApiServer.Schema;

/// <summary>How a list field merges (upstream <c>x-kubernetes-list-type</c>).</summary>
public enum ListType
{
    Atomic,
    Set,
    Map,
}

/// <summary>
/// The upstream merge metadata of one field of a typed model: the strategic-merge-patch
/// strategy and merge key (<c>patchStrategy</c>, <c>patchMergeKey</c> struct tags) and the
/// server-side-apply list semantics (<c>listType</c>, <c>listMapKeys</c>).
/// </summary>
/// <param name="PatchStrategy">"merge", "retainKeys", "merge,retainKeys", "replace" or null.</param>
public sealed record FieldPatchInfo(string? PatchStrategy, string? PatchMergeKey, ListType? ListType, IReadOnlyList<string> ListMapKeys)
{
    public bool MergesLists => PatchStrategy?.Split(',').Contains("merge") == true;
    public bool RetainsKeys => PatchStrategy?.Split(',').Contains("retainKeys") == true;
}
