using System.Collections.Concurrent;
using System.Reflection;
using k8s.Models;

namespace Stevedore.Client.Resources;

/// <summary>
/// Where a kind lives in the REST API: group, version, plural resource name and kind.
/// The core group is the empty string.
/// </summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind)
{
    private static readonly ConcurrentDictionary<Type, ResourceType> ByClrType = new();

    /// <summary>"v1" for the core group, "group/version" otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>
    /// The resource type of a <c>k8s.Models</c> class (or any class carrying
    /// <see cref="KubernetesEntityAttribute"/>), read once and cached.
    /// </summary>
    public static ResourceType For<T>() => For(typeof(T));

    /// <inheritdoc cref="For{T}()"/>
    public static ResourceType For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return ByClrType.GetOrAdd(type, static t =>
        {
            var entity = t.GetCustomAttribute<KubernetesEntityAttribute>()
                ?? throw new ArgumentException($"{t.FullName} has no [KubernetesEntity] attribute; pass a ResourceType explicitly.", nameof(type));
            return new ResourceType(entity.Group ?? "", entity.ApiVersion, entity.PluralName, entity.Kind);
        });
    }

    public override string ToString() => Group.Length == 0 ? $"{Plural}.{Version}" : $"{Plural}.{Version}.{Group}";
}
