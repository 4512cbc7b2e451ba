using k8s.Models;

namespace Stevedore.Kubelet.Pods;

/// <summary>The pod's quality-of-service class, computed as upstream does from its containers' cpu and memory.</summary>
public static class QosClasses
{
    public const string Guaranteed = "Guaranteed";
    public const string Burstable = "Burstable";
    public const string BestEffort = "BestEffort";

    private static readonly string[] ComputeResources = ["cpu", "memory"];

    /// <summary>
    /// BestEffort: no container asks for or limits cpu or memory. Guaranteed: every container limits
    /// both, and the summed requests equal the summed limits. Burstable otherwise. A missing request
    /// counts as equal to its limit, as the API server's defaulting makes it.
    /// </summary>
    public static string Compute(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var requests = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var guaranteed = true;
        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            var containerLimits = new HashSet<string>(StringComparer.Ordinal);
            foreach (var resource in ComputeResources)
            {
                var limit = Quantity(container.Resources?.Limits, resource);
                var request = Quantity(container.Resources?.Requests, resource) ?? limit;
                if (request > 0)
                {
                    requests[resource] = requests.GetValueOrDefault(resource) + request.Value;
                }

                if (limit > 0)
                {
                    containerLimits.Add(resource);
                    limits[resource] = limits.GetValueOrDefault(resource) + limit.Value;
                }
            }

            if (containerLimits.Count != ComputeResources.Length)
            {
                guaranteed = false;
            }
        }

        if (requests.Count == 0 && limits.Count == 0)
        {
            return BestEffort;
        }

        if (guaranteed && requests.Count == limits.Count && requests.All(r => limits.TryGetValue(r.Key, out var l) && l == r.Value))
        {
            return Guaranteed;
        }

        return Burstable;
    }

    /// <summary>A resource's quantity, or null when absent or unparseable.</summary>
    internal static decimal? Quantity(IDictionary<string, ResourceQuantity>? resources, string name)
    {
        if (resources is null || !resources.TryGetValue(name, out var quantity) || quantity is null)
        {
            return null;
        }

        try
        {
            return quantity.ToDecimal();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }
}
