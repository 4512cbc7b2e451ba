using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Plugins.DefaultPreemption;

/// <summary>
/// When no node fits, finds a node where evicting lower-priority pods lets the pod fit. On each
/// candidate node every lower-priority pod is removed, then pods are given back from the most
/// important down while the pod still fits; the rest are the victims. The chosen node has the
/// lowest highest-victim priority, then the lowest priority sum, then the fewest victims.
/// PodDisruptionBudgets are not consulted.
/// </summary>
public sealed class DefaultPreemptionPlugin : IPostFilterPlugin
{
    public const string PluginName = "DefaultPreemption";

    public const string NotHelpfulReason = "Preemption is not helpful for scheduling";
    public const string NoVictimsReason = "No preemption victims found for incoming pod";
    public const string NotEligibleNeverReason = "not eligible due to preemptionPolicy=Never.";
    public const string NotEligibleTerminatingReason = "not eligible due to a terminating pod on the nominated node.";

    private readonly IFrameworkHandle _handle;
    private readonly PluginArgs _args;

    public DefaultPreemptionPlugin(IFrameworkHandle handle, PluginArgs args)
    {
        _handle = handle;
        _args = args;
    }

    public string Name => PluginName;

    public (PostFilterResult? Result, Status Status) PostFilter(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyDictionary<string, Status> filteredNodeStatuses)
    {
        var (result, status) = Preempt(pod, snapshot, filteredNodeStatuses);
        return status.IsSuccess || status.Reasons.Count == 0
            ? (result, status)
            : (result, Status.Of(status.Code, "preemption: " + status.Message));
    }

    /// <summary>The preemption decision without the "preemption: " prefix on its message.</summary>
    public (PostFilterResult? Result, Status Status) Preempt(V1Pod pod, ClusterSnapshot snapshot, IReadOnlyDictionary<string, Status> filteredNodeStatuses)
    {
        if (pod.Spec?.PreemptionPolicy == "Never")
        {
            return (null, Status.Unschedulable(NotEligibleNeverReason));
        }

        var priority = pod.Priority();
        if (pod.Status?.NominatedNodeName is { Length: > 0 } nominated
            && snapshot.Get(nominated) is { } nominatedNode
            && nominatedNode.Pods.Any(p => p.Pod.IsTerminating() && p.Priority < priority))
        {
            // Victims from an earlier preemption are still leaving; wait for them.
            return (null, Status.Unschedulable(NotEligibleTerminatingReason));
        }

        var statuses = new Dictionary<string, Status>(StringComparer.Ordinal);
        var potential = new List<NodeInfo>();
        foreach (var node in snapshot.Nodes)
        {
            var filterStatus = filteredNodeStatuses.GetValueOrDefault(node.Name);
            if (filterStatus is null || filterStatus.Code == StatusCode.UnschedulableAndUnresolvable)
            {
                statuses[node.Name] = Status.Unresolvable(NotHelpfulReason);
            }
            else
            {
                potential.Add(node);
            }
        }

        var candidates = new List<Candidate>();
        var wanted = Math.Min(potential.Count, Math.Max(potential.Count * _args.MinCandidateNodesPercentage / 100, _args.MinCandidateNodesAbsolute));
        foreach (var node in potential)
        {
            var (victims, status) = SelectVictimsOnNode(pod, snapshot, node);
            if (victims is null)
            {
                statuses[node.Name] = status;
                continue;
            }

            candidates.Add(new Candidate(node.Name, victims));
            if (candidates.Count >= wanted)
            {
                break;
            }
        }

        if (candidates.Count == 0)
        {
            var diagnosis = new Diagnosis();
            foreach (var (name, status) in statuses)
            {
                diagnosis.NodeToStatus[name] = status;
            }

            return (null, Status.Unschedulable(new FitError(pod, snapshot.NodeCount, diagnosis).Message));
        }

        var best = PickOneCandidate(candidates);
        return (new PostFilterResult(best.NodeName, best.Victims), Status.Success);
    }

    /// <summary>
    /// The minimal set of lower-priority pods to evict from <paramref name="node"/> so the pod fits,
    /// or null and the reason when no eviction helps.
    /// </summary>
    public (IReadOnlyList<V1Pod>? Victims, Status Status) SelectVictimsOnNode(V1Pod pod, ClusterSnapshot snapshot, NodeInfo node)
    {
        var priority = pod.Priority();
        var lower = node.Pods.Where(p => p.Priority < priority).ToList();
        if (lower.Count == 0)
        {
            return (null, Status.Unresolvable(NoVictimsReason));
        }

        var trial = node.Clone();
        foreach (var p in lower)
        {
            trial.RemovePod(p.Key);
        }

        var view = snapshot.WithNodeReplaced(trial);
        var fits = Fits(pod, view, trial);
        if (!fits.IsSuccess)
        {
            return (null, fits);
        }

        // Give back the most important pods first; whatever cannot come back is evicted.
        lower.Sort((a, b) =>
        {
            var byPriority = b.Priority.CompareTo(a.Priority);
            return byPriority != 0 ? byPriority : a.Pod.StartTime().CompareTo(b.Pod.StartTime());
        });
        var victims = new List<V1Pod>();
        foreach (var p in lower)
        {
            trial.AddPod(p);
            if (!Fits(pod, view, trial).IsSuccess)
            {
                trial.RemovePod(p.Key);
                victims.Add(p.Pod);
            }
        }

        return (victims, Status.Success);
    }

    /// <summary>Lowest highest-victim priority, then lowest priority sum, then fewest victims, then first found.</summary>
    internal static Candidate PickOneCandidate(IReadOnlyList<Candidate> candidates)
    {
        Candidate? best = null;
        foreach (var c in candidates)
        {
            if (best is null || Compare(c, best) < 0)
            {
                best = c;
            }
        }

        return best!;

        static int Compare(Candidate a, Candidate b)
        {
            var byHighest = a.HighestPriority.CompareTo(b.HighestPriority);
            if (byHighest != 0)
            {
                return byHighest;
            }

            var bySum = a.PrioritySum.CompareTo(b.PrioritySum);
            return bySum != 0 ? bySum : a.Victims.Count.CompareTo(b.Victims.Count);
        }
    }

    private Status Fits(V1Pod pod, ClusterSnapshot view, NodeInfo node)
    {
        var state = new CycleState();
        var pre = _handle.RunPreFilterPlugins(state, pod, view);
        return pre.IsSuccess ? _handle.RunFilterPlugins(state, pod, node) : pre;
    }

    /// <summary>A node where preemption works and the pods it would evict.</summary>
    internal sealed record Candidate(string NodeName, IReadOnlyList<V1Pod> Victims)
    {
        /// <summary>Highest victim priority; no victims at all is the best possible value.</summary>
        public long HighestPriority => Victims.Count == 0 ? long.MinValue : Victims.Max(v => (long)v.Priority());

        // Offset so that negative priorities still add up in order, as upstream does.
        public long PrioritySum => Victims.Sum(v => (long)v.Priority() + int.MaxValue + 1L);
    }
}
