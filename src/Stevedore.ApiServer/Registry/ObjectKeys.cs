using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Registry;

/// <summary>Storage keys: <c>/registry/[group/]plural/[namespace/]name</c>.</summary>
public static class ObjectKeys
{
    public static string For(ApiResource resource, string? ns, string name) =>
        resource.Namespaced ? $"{resource.StoragePrefix}{ns}/{name}" : resource.StoragePrefix + name;

    /// <summary>The prefix of a list: one namespace, or the whole resource.</summary>
    public static string ListPrefix(ApiResource resource, string? ns) =>
        resource.Namespaced && ns is not null ? $"{resource.StoragePrefix}{ns}/" : resource.StoragePrefix;
}
