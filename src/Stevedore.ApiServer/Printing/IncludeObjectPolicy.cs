namespace Stevedore.ApiServer.Printing;

/// <summary>
/// What each Table row carries in its <c>object</c> field, chosen by the <c>includeObject</c>
/// query parameter (<c>None</c>, <c>Metadata</c>, <c>Object</c>; absent means <c>Metadata</c>).
/// </summary>
public enum IncludeObjectPolicy
{
    /// <summary>Rows carry <c>"object": null</c>.</summary>
    None,

    /// <summary>Rows carry a <c>meta.k8s.io/v1 PartialObjectMetadata</c> with the object's whole metadata (kubectl's default).</summary>
    Metadata,

    /// <summary>Rows carry the full object.</summary>
    Object,
}
