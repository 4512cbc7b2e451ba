using k8s.Models;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// A node with the pods assigned to it and what they use: summed requests (and the non-zero
/// variant used for scoring), host ports, and the node's images. Not thread-safe for writes.
/// </summary>
public sealed class NodeInfo
{
    private readonly List<PodInfo> _pods = [];

    public NodeInfo(V1Node node)
    {
        Node = node;
        Name = node.Metadata?.Name ?? string.Empty;
        Unschedulable = node.Spec?.Unschedulable == true;
        Allocatable = Resource.FromList(node.Status?.Allocatable);
        ImageSizes = ImageSizesOf(node);
    }

    public V1Node Node { get; private set; }

    /// <summary>The node's name, read once: filters and scores ask for it for every node of every cycle.</summary>
    public string Name { get; private set; }

    /// <summary>The node's <c>spec.unschedulable</c>, read once (the first filter of every node of every cycle asks).</summary>
    public bool Unschedulable { get; private set; }

    public IDictionary<string, string>? Labels => Node.Metadata?.Labels;

    public IReadOnlyList<PodInfo> Pods => _pods;

    /// <summary>Pods on this node with any pod (anti-)affinity.</summary>
    public List<PodInfo> PodsWithAffinity { get; } = [];

    /// <summary>Pods on this node with required pod anti-affinity (they can reject incoming pods).</summary>
    public List<PodInfo> PodsWithRequiredAntiAffinity { get; } = [];

    public Resource Allocatable { get; private set; }

    public Resource Requested { get; private set; } = new();

    public Resource NonZeroRequested { get; private set; } = new();

    public HostPortInfo UsedPorts { get; private set; } = new();

    /// <summary>Image sizes in bytes by normalized name (every name of every image in node status).</summary>
    public Dictionary<string, long> ImageSizes { get; private set; }

    /// <summary>Bumped on every change, so callers can cache per-node derived data.</summary>
    public long Generation { get; private set; }

    /// <summary>Replaces the node object, keeping the pods.</summary>
    public void SetNode(V1Node node)
    {
        Node = node;
        Name = node.Metadata?.Name ?? string.Empty;
        Unschedulable = node.Spec?.Unschedulable == true;
        Allocatable = Resource.FromList(node.Status?.Allocatable);
        ImageSizes = ImageSizesOf(node);
        Generation++;
    }

    private static Dictionary<string, long> ImageSizesOf(V1Node node)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        if (node.Status?.Images is { } images)
        {
            foreach (var image in images)
            {
                foreach (var name in image.Names ?? [])
                {
                    sizes[ImageNames.Normalize(name)] = image.SizeBytes ?? 0;
                }
            }
        }

        return sizes;
    }

    public void AddPod(PodInfo pod)
    {
        _pods.Add(pod);
        if (pod.HasAffinity)
        {
            PodsWithAffinity.Add(pod);
        }

        if (pod.RequiredAntiAffinityTerms.Count > 0)
        {
            PodsWithRequiredAntiAffinity.Add(pod);
        }

        Requested.Add(pod.Requests);
        NonZeroRequested.Add(pod.NonZeroRequests);
        ForEachHostPort(pod.Pod, UsedPorts.Add);
        Generation++;
    }

    /// <summary>Removes the pod with the same namespace/name; false when it is not here.</summary>
    public bool RemovePod(string key)
    {
        var index = _pods.FindIndex(p => p.Key == key);
        if (index < 0)
        {
            return false;
        }

        var pod = _pods[index];
        _pods.RemoveAt(index);
        PodsWithAffinity.Remove(pod);
        PodsWithRequiredAntiAffinity.Remove(pod);
        Requested.Subtract(pod.Requests);
        NonZeroRequested.Subtract(pod.NonZeroRequests);
        ForEachHostPort(pod.Pod, UsedPorts.Remove);
        Generation++;
        return true;
    }

    /// <summary>A copy whose pod list and usage can be changed without touching this one (preemption dry runs).</summary>
    public NodeInfo Clone()
    {
        var c = new NodeInfo(Node) { Allocatable = Allocatable, ImageSizes = ImageSizes };
        foreach (var pod in _pods)
        {
            c.AddPod(pod);
        }

        c.Generation = Generation;
        return c;
    }

    /// <summary>Calls <paramref name="action"/>(hostIP, protocol, hostPort) for every host port of the pod.</summary>
    public static void ForEachHostPort(V1Pod pod, Action<string?, string?, int> action)
    {
        foreach (var c in (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []))
        {
            foreach (var port in c.Ports ?? [])
            {
                if (port.HostPort is > 0)
                {
                    action(port.HostIP, port.Protocol, port.HostPort.Value);
                }
            }
        }
    }
}
