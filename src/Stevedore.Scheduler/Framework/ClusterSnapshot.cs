using k8s.Models;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// The scheduler's view of the cluster: every node with its assigned pods, namespace labels
/// (for affinity namespaceSelectors) and how many nodes hold each image. The host keeps one
/// up to date from informer events (or builds one with <see cref="Create"/>) and "assumes" a
/// pod onto its node right after scheduling it, so the next cycle sees the usage.
/// Not thread-safe: mutate it only between scheduling cycles (from the scheduling loop or under
/// the host's lock); plugins only read it during a cycle.
/// </summary>
public sealed class ClusterSnapshot
{
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private readonly List<NodeInfo> _nodeList = [];
    private readonly Dictionary<string, string> _podNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<PodInfo>> _podsOnUnknownNodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IDictionary<string, string>> _namespaceLabels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _imageNodeCounts = new(StringComparer.Ordinal);
    // Upstream's HavePodsWithAffinityNodeInfoList / HavePodsWithRequiredAntiAffinityNodeInfoList:
    // most clusters have few such pods, so the affinity plugins look at these nodes instead of all.
    private readonly HashSet<NodeInfo> _nodesWithAffinityPods = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<NodeInfo> _nodesWithRequiredAntiAffinityPods = new(ReferenceEqualityComparer.Instance);
    private Dictionary<string, List<PodInfo>> _nominated = new(StringComparer.Ordinal);
    private Dictionary<string, string> _nominatedNodeOf = new(StringComparer.Ordinal);

    /// <summary>Nodes in insertion order (the order filters walk them).</summary>
    public IReadOnlyList<NodeInfo> Nodes => _nodeList;

    public int NodeCount => _nodeList.Count;

    /// <summary>Nodes running at least one pod with any pod (anti-)affinity (in no particular order).</summary>
    public IReadOnlyCollection<NodeInfo> NodesWithAffinityPods => _nodesWithAffinityPods;

    /// <summary>Nodes running at least one pod with required pod anti-affinity (in no particular order).</summary>
    public IReadOnlyCollection<NodeInfo> NodesWithRequiredAntiAffinityPods => _nodesWithRequiredAntiAffinityPods;

    /// <summary>Builds a snapshot from listed objects. Pods without a node or in a terminal phase are ignored.</summary>
    public static ClusterSnapshot Create(IEnumerable<V1Node> nodes, IEnumerable<V1Pod>? pods = null, IEnumerable<V1Namespace>? namespaces = null)
    {
        var s = new ClusterSnapshot();
        foreach (var node in nodes)
        {
            s.AddOrUpdateNode(node);
        }

        foreach (var pod in pods ?? [])
        {
            s.AddPod(pod);
        }

        foreach (var ns in namespaces ?? [])
        {
            s.SetNamespace(ns);
        }

        return s;
    }

    public NodeInfo? Get(string nodeName) => _nodes.GetValueOrDefault(nodeName);

    /// <summary>The node a pod (by namespace/name) is on, or null.</summary>
    public string? NodeOf(string podKey) => _podNode.GetValueOrDefault(podKey);

    public void AddOrUpdateNode(V1Node node)
    {
        var name = node.Metadata?.Name ?? throw new ArgumentException("node has no name", nameof(node));
        if (_nodes.TryGetValue(name, out var existing))
        {
            CountImages(existing, -1);
            existing.SetNode(node);
            CountImages(existing, +1);
            return;
        }

        var info = new NodeInfo(node);
        if (_podsOnUnknownNodes.Remove(name, out var waiting))
        {
            foreach (var pod in waiting)
            {
                info.AddPod(pod);
            }
        }

        _nodes[name] = info;
        _nodeList.Add(info);
        CountImages(info, +1);
        TrackAffinity(info);
    }

    public void RemoveNode(string nodeName)
    {
        if (!_nodes.Remove(nodeName, out var info))
        {
            return;
        }

        _nodeList.Remove(info);
        CountImages(info, -1);
        _nodesWithAffinityPods.Remove(info);
        _nodesWithRequiredAntiAffinityPods.Remove(info);

        // Pods keep their node name; they come back if the node does (as the upstream cache does).
        if (info.Pods.Count > 0)
        {
            _podsOnUnknownNodes[nodeName] = [.. info.Pods];
        }
    }

    /// <summary>Adds a pod bound to <c>spec.nodeName</c>; replaces an older copy of the same pod.</summary>
    public void AddPod(V1Pod pod)
    {
        var nodeName = pod.Spec?.NodeName;
        if (string.IsNullOrEmpty(nodeName) || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            RemovePod(pod.Key());
            return;
        }

        AddPodToNode(pod, nodeName);
    }

    /// <summary>
    /// Records the scheduling decision before the binding is confirmed, so later cycles count it.
    /// The pod object is not modified; the informer's copy with <c>spec.nodeName</c> replaces it later.
    /// </summary>
    public void AssumePod(V1Pod pod, string nodeName) => AddPodToNode(pod, nodeName);

    public void UpdatePod(V1Pod pod) => AddPod(pod);

    /// <summary>
    /// Records that preemption nominated <paramref name="pod"/> (still pending) to a node, so pods
    /// of lower or equal priority do not take the room its victims free up. Null clears it.
    /// Binding (<see cref="AddPod"/>/<see cref="AssumePod"/>) and <see cref="RemovePod(string)"/> clear it too.
    /// </summary>
    public void SetNominatedNode(V1Pod pod, string? nodeName)
    {
        var key = pod.Key();
        ClearNomination(key);
        if (string.IsNullOrEmpty(nodeName))
        {
            return;
        }

        if (!_nominated.TryGetValue(nodeName, out var list))
        {
            list = [];
            _nominated[nodeName] = list;
        }

        list.Add(new PodInfo(pod));
        _nominatedNodeOf[key] = nodeName;
    }

    /// <summary>
    /// Whether any pending pod is nominated anywhere. The filter loop asks this once per node before
    /// <see cref="NominatedPods"/>: nominations are rare, and an empty answer through the interface
    /// (an array behind <see cref="IReadOnlyList{T}"/>) costs a runtime dispatch per node.
    /// </summary>
    public bool HasNominatedPods => _nominated.Count > 0;

    /// <summary>Pending pods nominated to the node.</summary>
    public IReadOnlyList<PodInfo> NominatedPods(string nodeName) =>
        _nominated.Count > 0 && _nominated.TryGetValue(nodeName, out var list) ? list : [];

    public void RemovePod(V1Pod pod) => RemovePod(pod.Key());

    public void RemovePod(string podKey)
    {
        ClearNomination(podKey);
        if (!_podNode.Remove(podKey, out var nodeName))
        {
            return;
        }

        if (_nodes.TryGetValue(nodeName, out var node))
        {
            node.RemovePod(podKey);
            TrackAffinity(node);
        }
        else if (_podsOnUnknownNodes.TryGetValue(nodeName, out var list))
        {
            list.RemoveAll(p => p.Key == podKey);
            if (list.Count == 0)
            {
                _podsOnUnknownNodes.Remove(nodeName);
            }
        }
    }

    public void SetNamespace(V1Namespace ns)
    {
        var name = ns.Metadata?.Name;
        if (name is not null)
        {
            _namespaceLabels[name] = ns.Metadata?.Labels ?? new Dictionary<string, string>();
        }
    }

    public void RemoveNamespace(string name) => _namespaceLabels.Remove(name);

    /// <summary>The labels of a namespace, or null when it is unknown.</summary>
    public IDictionary<string, string>? NamespaceLabels(string ns) => _namespaceLabels.GetValueOrDefault(ns);

    /// <summary>How many nodes report the (normalized) image.</summary>
    public int ImageNodeCount(string normalizedImage) => _imageNodeCounts.GetValueOrDefault(normalizedImage);

    /// <summary>
    /// A view identical to this snapshot except that <paramref name="replacement"/> stands in for the
    /// node of the same name. Used by preemption to try evicting pods without touching the real state.
    /// </summary>
    public ClusterSnapshot WithNodeReplaced(NodeInfo replacement)
    {
        var view = new ClusterSnapshot();
        foreach (var info in _nodeList)
        {
            var chosen = info.Name == replacement.Name ? replacement : info;
            view._nodes[chosen.Name] = chosen;
            view._nodeList.Add(chosen);
            view.TrackAffinity(chosen);
        }

        // The caller keeps changing the replacement's pods (trying victims), so the view always
        // lists it; an entry whose pod lists are empty costs the affinity plugins nothing.
        view._nodesWithAffinityPods.Add(replacement);
        view._nodesWithRequiredAntiAffinityPods.Add(replacement);

        foreach (var (k, v) in _namespaceLabels)
        {
            view._namespaceLabels[k] = v;
        }

        foreach (var (k, v) in _imageNodeCounts)
        {
            view._imageNodeCounts[k] = v;
        }

        view._nominated = _nominated;
        view._nominatedNodeOf = _nominatedNodeOf;
        return view;
    }

    private void CountImages(NodeInfo info, int delta)
    {
        foreach (var name in info.ImageSizes.Keys)
        {
            var n = _imageNodeCounts.GetValueOrDefault(name) + delta;
            if (n <= 0)
            {
                _imageNodeCounts.Remove(name);
            }
            else
            {
                _imageNodeCounts[name] = n;
            }
        }
    }

    private void TrackAffinity(NodeInfo node)
    {
        if (node.PodsWithAffinity.Count > 0)
        {
            _nodesWithAffinityPods.Add(node);
        }
        else
        {
            _nodesWithAffinityPods.Remove(node);
        }

        if (node.PodsWithRequiredAntiAffinity.Count > 0)
        {
            _nodesWithRequiredAntiAffinityPods.Add(node);
        }
        else
        {
            _nodesWithRequiredAntiAffinityPods.Remove(node);
        }
    }

    private void ClearNomination(string podKey)
    {
        if (_nominatedNodeOf.Remove(podKey, out var node) && _nominated.TryGetValue(node, out var list))
        {
            list.RemoveAll(p => p.Key == podKey);
            if (list.Count == 0)
            {
                _nominated.Remove(node);
            }
        }
    }

    private void AddPodToNode(V1Pod pod, string nodeName)
    {
        RemovePod(pod.Key());
        var info = new PodInfo(pod);
        _podNode[info.Key] = nodeName;
        if (_nodes.TryGetValue(nodeName, out var node))
        {
            node.AddPod(info);
            TrackAffinity(node);
            return;
        }

        if (!_podsOnUnknownNodes.TryGetValue(nodeName, out var list))
        {
            list = [];
            _podsOnUnknownNodes[nodeName] = list;
        }

        list.Add(info);
    }
}
