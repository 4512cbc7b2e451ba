using System.Text;
using k8s.Models;

namespace Stevedore.Kubelet.Volumes;

/// <summary>A volume's source cannot produce its files (a missing key, a bad field); the message is upstream's.</summary>
public sealed class VolumeSourceException(string message) : Exception(message);

/// <summary>
/// The files of configMap, secret and downwardAPI volumes (and projections), from objects already read:
/// which keys become which paths with which modes, as upstream's plugins decide it.
/// </summary>
public static class VolumePayloads
{
    /// <summary>The mode of files whose volume names none (what API defaulting would have set): 0644.</summary>
    public const int DefaultMode = 420;

    public static IReadOnlyDictionary<string, byte[]> ConfigMapData(V1ConfigMap configMap)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
        {
            data[key] = Encoding.UTF8.GetBytes(value ?? "");
        }

        foreach (var (key, value) in configMap.BinaryData ?? new Dictionary<string, byte[]>())
        {
            data[key] = value ?? [];
        }

        return data;
    }

    public static IReadOnlyDictionary<string, byte[]> SecretData(V1Secret secret) =>
        new Dictionary<string, byte[]>((secret.Data ?? new Dictionary<string, byte[]>()).Select(kv => KeyValuePair.Create(kv.Key, kv.Value ?? [])), StringComparer.Ordinal);

    /// <summary>
    /// Every key as a file named after it, or only the listed items at their paths; a listed key that is
    /// missing fails unless the source is optional.
    /// </summary>
    /// <param name="secret">Whether the data is a Secret's (for the error message).</param>
    public static Dictionary<string, FileProjection> Keyed(IReadOnlyDictionary<string, byte[]> data, IList<V1KeyToPath>? items, int defaultMode, bool optional, bool secret)
    {
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        if (items is not { Count: > 0 })
        {
            foreach (var (key, value) in data)
            {
                payload[key] = new FileProjection(value, defaultMode);
            }

            return payload;
        }

        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var value))
            {
                if (optional)
                {
                    continue;
                }

                throw new VolumeSourceException(secret
                    ? $"references non-existent secret key: {item.Key}"
                    : $"configmap references non-existent config key: {item.Key}");
            }

            payload[CleanPath(item.Path)] = new FileProjection(value, item.Mode ?? defaultMode);
        }

        return payload;
    }

    /// <summary>The downwardAPI files: each field or resource value at its path (map values as sorted lines).</summary>
    public static Dictionary<string, FileProjection> DownwardApi(V1Pod pod, IList<V1DownwardAPIVolumeFile>? items, int defaultMode, IReadOnlyDictionary<string, ResourceQuantity> allocatable)
    {
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var item in items ?? [])
        {
            string value;
            try
            {
                if (item.FieldRef is { } fieldRef)
                {
                    value = Volumes.DownwardApi.FieldValue(pod, fieldRef.FieldPath);
                }
                else if (item.ResourceFieldRef is { } resourceRef)
                {
                    var container = EnvironmentResolver.FindContainer(pod, resourceRef.ContainerName ?? "")
                        ?? throw new VolumeSourceException($"container {resourceRef.ContainerName} not found");
                    value = Volumes.DownwardApi.ResourceValue(resourceRef, container, allocatable);
                }
                else
                {
                    continue;
                }
            }
            catch (ArgumentException ex)
            {
                throw new VolumeSourceException(ex.Message);
            }

            payload[CleanPath(item.Path)] = new FileProjection(Encoding.UTF8.GetBytes(value), item.Mode ?? defaultMode);
        }

        return payload;
    }

    /// <summary>With the pod's fsGroup, files become group-readable as upstream's volume ownership sets them.</summary>
    public static Dictionary<string, FileProjection> WithGroupAccess(Dictionary<string, FileProjection> payload, long? fsGroup)
    {
        if (fsGroup is null)
        {
            return payload;
        }

        return payload.ToDictionary(kv => kv.Key, kv => kv.Value with { Mode = kv.Value.Mode | 0x120 }, StringComparer.Ordinal);
    }

    /// <summary>Path cleaning as Go's path.Clean would for the relative paths validation lets through.</summary>
    private static string CleanPath(string path)
    {
        if (VolumePathRules.FilePathError(path) is { } error)
        {
            throw new VolumeSourceException(error);
        }

        return AtomicWriterPlan.Normalize(path);
    }
}
