namespace Stevedore.ApiServer.Resources;

/// <summary>
/// One served resource: where it lives in the API (group, version, plural), whether it is
/// namespaced, how kubectl may call it (short names, categories, verbs), its subresources,
/// and the typed model of the official client that describes its schema.
/// </summary>
public sealed record ApiResource
{
    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public required bool Namespaced { get; init; }

    /// <summary>The <c>k8s.Models</c> type of one object (e.g. <c>V1Pod</c>).</summary>
    public required Type ModelType { get; init; }

    public string Singular => Kind.ToLowerInvariant();
    public string ListKind => Kind + "List";
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<string> Verbs { get; init; } = StandardVerbs;

    /// <summary>Subresource names such as <c>status</c>, <c>scale</c>, <c>binding</c>.</summary>
    public IReadOnlyList<string> Subresources { get; init; } = [];

    /// <summary>Create-only review kinds (SelfSubjectAccessReview, TokenReview…) are answered, never stored.</summary>
    public bool IsVirtual { get; init; }

    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The key prefix under which objects of this resource are stored.</summary>
    public string StoragePrefix => Group.Length == 0 ? $"/registry/{Plural}/" : $"/registry/{Group}/{Plural}/";

    public bool HasSubresource(string name) => Subresources.Contains(name);

    public static readonly IReadOnlyList<string> StandardVerbs =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static readonly IReadOnlyList<string> CreateOnlyVerbs = ["create"];
}
