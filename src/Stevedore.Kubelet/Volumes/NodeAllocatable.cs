using System.Globalization;
using k8s.Models;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// The node's allocatable resources, which the downward API reports for limits a container leaves unset.
/// Read from the Node object (cached for a short while); when the node is not registered yet, the
/// machine's own CPU count and memory stand in.
/// </summary>
public sealed class NodeAllocatable(IPodSources sources, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset ReadAt, IReadOnlyDictionary<string, ResourceQuantity> Values)> _cache = new(StringComparer.Ordinal);

    public async Task<IReadOnlyDictionary<string, ResourceQuantity>> GetAsync(string? nodeName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = nodeName ?? "";
        lock (_lock)
        {
            if (_cache.TryGetValue(key, out var cached) && now - cached.ReadAt < CacheFor)
            {
                return cached.Values;
            }
        }

        IReadOnlyDictionary<string, ResourceQuantity>? values = null;
        if (!string.IsNullOrEmpty(nodeName))
        {
            var node = await sources.GetNodeAsync(nodeName, cancellationToken).ConfigureAwait(false);
            if (node?.Status?.Allocatable is { Count: > 0 } allocatable)
            {
                values = new Dictionary<string, ResourceQuantity>(allocatable, StringComparer.Ordinal);
            }
        }

        values ??= Machine();
        lock (_lock)
        {
            _cache[key] = (now, values);
        }

        return values;
    }

    /// <summary>This machine's CPU count and total memory.</summary>
    public static IReadOnlyDictionary<string, ResourceQuantity> Machine()
    {
        var values = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
        {
            ["cpu"] = new ResourceQuantity(Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
        };
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            if (kib is not null)
            {
                values["memory"] = new ResourceQuantity(kib + "Ki");
            }
        }
        catch (IOException)
        {
            // No /proc/meminfo: the memory limit then reads as 0, as for any unknown resource.
        }

        return values;
    }
}
