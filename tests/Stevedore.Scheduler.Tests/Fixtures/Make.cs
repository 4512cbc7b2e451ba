using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Tests.Fixtures;

/// <summary>Entry points for test objects.</summary>
internal static class Make
{
    public static NodeBuilder Node(string name) => new(name);

    public static PodBuilder Pod(string name, string ns = "default") => new(name, ns);

    public static V1Container Container(string name, string cpu, string memory, string? image)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        if (cpu.Length > 0) requests["cpu"] = new ResourceQuantity(cpu);
        if (memory.Length > 0) requests["memory"] = new ResourceQuantity(memory);
        return new V1Container { Name = name, Image = image ?? "busybox", Resources = new V1ResourceRequirements { Requests = requests } };
    }

    public static V1PodAffinityTerm Term(string labelKey, string labelValue, string topologyKey, IList<string>? namespaces = null, V1LabelSelector? namespaceSelector = null) => new()
    {
        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [labelKey] = labelValue } },
        TopologyKey = topologyKey,
        Namespaces = namespaces,
        NamespaceSelector = namespaceSelector,
    };

    public static ClusterSnapshot Snapshot(IEnumerable<V1Node> nodes, params V1Pod[] pods) => ClusterSnapshot.Create(nodes, pods);

    /// <summary>PreFilter then Filter for one node, as the framework does (Skip means the filter does not run).</summary>
    public static Status RunFilter<TPlugin>(TPlugin plugin, V1Pod pod, ClusterSnapshot snapshot, string nodeName)
        where TPlugin : IFilterPlugin
    {
        var state = new CycleState();
        if (plugin is IPreFilterPlugin pre)
        {
            var s = pre.PreFilter(state, pod, snapshot);
            if (s.IsSkip)
            {
                return Status.Success;
            }

            if (!s.IsSuccess)
            {
                return s;
            }
        }

        return plugin.Filter(state, pod, snapshot.Get(nodeName)!);
    }

    /// <summary>PreScore, Score for every node and NormalizeScore; returns name → score.</summary>
    public static Dictionary<string, long> RunScore<TPlugin>(TPlugin plugin, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo>? nodes = null)
        where TPlugin : IScorePlugin
    {
        nodes ??= snapshot.Nodes;
        var state = new CycleState();
        if (plugin is IPreScorePlugin pre)
        {
            var s = pre.PreScore(state, pod, snapshot, nodes);
            if (s.IsSkip)
            {
                return nodes.ToDictionary(n => n.Name, _ => 0L);
            }

            Assert.True(s.IsSuccess, s.ToString());
        }

        var scores = new NodeScore[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            Assert.True(plugin.Score(state, pod, nodes[i], out var score).IsSuccess);
            scores[i] = new NodeScore(nodes[i].Name, score);
        }

        Assert.True(plugin.NormalizeScore(state, pod, scores).IsSuccess);
        return scores.ToDictionary(s => s.Name, s => s.Score);
    }
}
