using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler;

/// <summary>
/// The scheduling algorithm: PreFilter, Filter (over an adaptive share of the nodes, starting
/// where the previous cycle stopped), PostFilter (preemption) when nothing fits, PreScore and
/// Score, then the highest total wins with ties broken at random. Pure: it reads the snapshot
/// and returns a decision; binding, events and the queue are the host's job.
/// One instance serves one scheduling loop (calls must not overlap).
/// </summary>
public sealed class PodScheduler
{
    /// <summary>Never stop filtering before this many feasible nodes (upstream minFeasibleNodesToFind).</summary>
    public const int MinFeasibleNodesToFind = 100;

    /// <summary>Lowest adaptive percentage of nodes to find feasible (upstream minFeasibleNodesPercentageToFind).</summary>
    public const int MinFeasibleNodesPercentageToFind = 5;

    private readonly Random _random;
    private readonly int _percentageOfNodesToScore;
    private int _nextStartNodeIndex;
    private Status?[] _statuses = [];

    /// <param name="profile">The plugins to run.</param>
    /// <param name="random">Tie breaker between equally scored nodes; inject a seeded one for tests.</param>
    /// <param name="percentageOfNodesToScore">0 for upstream's adaptive default, 100 to always look at every node.</param>
    public PodScheduler(Profile profile, Random? random = null, int percentageOfNodesToScore = 0)
    {
        Profile = profile;
        _random = random ?? new Random();
        _percentageOfNodesToScore = percentageOfNodesToScore;
    }

    public Profile Profile { get; }

    /// <summary>Decides where <paramref name="pod"/> should run in <paramref name="snapshot"/>.</summary>
    public ScheduleResult ScheduleOne(V1Pod pod, ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(snapshot);
        var nodes = snapshot.Nodes;
        if (nodes.Count == 0)
        {
            return new ScheduleResult { Error = Status.Unschedulable(ScheduleResult.NoNodesAvailableMessage) };
        }

        var state = new CycleState();
        var diagnosis = new Diagnosis();
        var pre = Profile.RunPreFilterPlugins(state, pod, snapshot);
        if (pre.Code == StatusCode.Error)
        {
            return new ScheduleResult { Error = pre, State = state };
        }

        if (!pre.IsSuccess)
        {
            // A PreFilter rejection holds for every node.
            diagnosis.PreFilterMessage = pre.Message;
            diagnosis.UnschedulablePlugins.Add(pre.Plugin!);
            foreach (var node in nodes)
            {
                diagnosis.NodeToStatus[node.Name] = pre;
            }

            return Fail(pod, snapshot, state, diagnosis, evaluated: 0);
        }

        // A pod that preempted earlier goes back to its nominated node when it fits there now (upstream evaluateNominatedNode).
        if (pod.Status?.NominatedNodeName is { Length: > 0 } nominated
            && snapshot.Get(nominated) is { } nominatedNode
            && RunFilters(state, pod, nominatedNode, snapshot).IsSuccess)
        {
            return new ScheduleResult { SuggestedHost = nominated, EvaluatedNodes = 1, FeasibleNodes = 1, State = state };
        }

        var (feasible, processed, error) = FindFeasibleNodes(state, pod, snapshot, diagnosis);
        if (error is not null)
        {
            return new ScheduleResult { Error = error, State = state, EvaluatedNodes = processed };
        }

        if (feasible.Count == 0)
        {
            return Fail(pod, snapshot, state, diagnosis, processed);
        }

        if (feasible.Count == 1)
        {
            return new ScheduleResult { SuggestedHost = feasible[0].Name, EvaluatedNodes = processed, FeasibleNodes = 1, State = state };
        }

        var preScore = Profile.RunPreScorePlugins(state, pod, snapshot, feasible);
        if (!preScore.IsSuccess)
        {
            return new ScheduleResult { Error = preScore, State = state, EvaluatedNodes = processed };
        }

        var (totals, scoreStatus) = Profile.RunScorePlugins(state, pod, feasible);
        if (!scoreStatus.IsSuccess)
        {
            return new ScheduleResult { Error = scoreStatus, State = state, EvaluatedNodes = processed };
        }

        return new ScheduleResult
        {
            SuggestedHost = SelectHost(feasible, totals),
            EvaluatedNodes = processed,
            FeasibleNodes = feasible.Count,
            State = state,
        };
    }

    /// <summary>How many feasible nodes are enough before scoring (upstream numFeasibleNodesToFind).</summary>
    public int NumFeasibleNodesToFind(int numAllNodes)
    {
        if (numAllNodes < MinFeasibleNodesToFind || _percentageOfNodesToScore >= 100)
        {
            return numAllNodes;
        }

        var percentage = _percentageOfNodesToScore;
        if (percentage <= 0)
        {
            percentage = Math.Max(50 - (numAllNodes / 125), MinFeasibleNodesPercentageToFind);
        }

        var num = numAllNodes * percentage / 100;
        return Math.Max(num, MinFeasibleNodesToFind);
    }

    private ScheduleResult Fail(V1Pod pod, ClusterSnapshot snapshot, CycleState state, Diagnosis diagnosis, int evaluated)
    {
        var (nomination, postStatus) = Profile.RunPostFilterPlugins(state, pod, snapshot, diagnosis.NodeToStatus);
        if (!postStatus.IsSuccess && postStatus.Reasons.Count > 0)
        {
            diagnosis.PostFilterMessage = postStatus.Message;
        }

        return new ScheduleResult
        {
            FitError = new FitError(pod, snapshot.NodeCount, diagnosis),
            Nomination = postStatus.IsSuccess ? nomination : null,
            EvaluatedNodes = evaluated,
            State = state,
        };
    }

    private (List<NodeInfo> Feasible, int Processed, Status? Error) FindFeasibleNodes(CycleState state, V1Pod pod, ClusterSnapshot snapshot, Diagnosis diagnosis)
    {
        var nodes = snapshot.Nodes;
        var n = nodes.Count;
        var toFind = NumFeasibleNodesToFind(n);
        var start = _nextStartNodeIndex % n;
        // One array per instance (calls never overlap), cleared instead of allocated every cycle.
        if (_statuses.Length != n)
        {
            _statuses = new Status?[n];
        }
        else
        {
            Array.Clear(_statuses);
        }

        var statuses = _statuses;
        var found = 0;

        void Check(int offset)
        {
            var index = (start + offset) % n;
            var status = RunFilters(state, pod, nodes[index], snapshot);
            statuses[index] = status;
            if (status.IsSuccess)
            {
                Interlocked.Increment(ref found);
            }
        }

        if (n < Profile.ParallelThreshold || Profile.Args.Parallelism <= 1)
        {
            for (var i = 0; i < n && found < toFind; i++)
            {
                Check(i);
            }
        }
        else
        {
            // Workers take chunks in node order (like upstream's parallelizer), so stopping early
            // leaves a contiguous run of evaluated nodes and the next cycle continues after it.
            var chunk = Math.Max(1, (int)Math.Sqrt(n));
            var next = 0;
            Parallel.For(0, Profile.Args.Parallelism, _ =>
            {
                while (Volatile.Read(ref found) < toFind)
                {
                    var from = Interlocked.Add(ref next, chunk) - chunk;
                    if (from >= n)
                    {
                        return;
                    }

                    var to = Math.Min(from + chunk, n);
                    for (var i = from; i < to && Volatile.Read(ref found) < toFind; i++)
                    {
                        Check(i);
                    }
                }
            });
        }

        var feasible = new List<NodeInfo>(Math.Min(found, toFind));
        var processed = 0;
        for (var offset = 0; offset < n; offset++)
        {
            var index = (start + offset) % n;
            var status = statuses[index];
            if (status is null)
            {
                continue;
            }

            processed++;
            if (status.IsSuccess)
            {
                if (feasible.Count < toFind)
                {
                    feasible.Add(nodes[index]);
                }
            }
            else if (status.Code == StatusCode.Error)
            {
                return (feasible, processed, status);
            }
            else
            {
                diagnosis.NodeToStatus[nodes[index].Name] = status;
                if (status.Plugin is not null)
                {
                    diagnosis.UnschedulablePlugins.Add(status.Plugin);
                }
            }
        }

        _nextStartNodeIndex = (start + processed) % n;
        return (feasible, processed, null);
    }

    /// <summary>
    /// Filters with the node's nominated pods of at least this pod's priority counted as if they ran
    /// there (their preemption made that room for them), then as the node really is.
    /// </summary>
    private Status RunFilters(CycleState state, V1Pod pod, NodeInfo node, ClusterSnapshot snapshot)
    {
        if (snapshot.HasNominatedPods && snapshot.NominatedPods(node.Name) is { Count: > 0 } nominated)
        {
            NodeInfo? withNominated = null;
            var key = pod.Key();
            var priority = pod.Priority();
            foreach (var p in nominated)
            {
                if (p.Key != key && p.Priority >= priority)
                {
                    withNominated ??= node.Clone();
                    withNominated.AddPod(p);
                }
            }

            if (withNominated is not null)
            {
                var status = Profile.RunFilterPlugins(state, pod, withNominated);
                if (!status.IsSuccess)
                {
                    return status;
                }
            }
        }

        return Profile.RunFilterPlugins(state, pod, node);
    }

    private string SelectHost(List<NodeInfo> feasible, long[] totals)
    {
        var best = long.MinValue;
        var ties = new List<int>();
        for (var i = 0; i < totals.Length; i++)
        {
            if (totals[i] > best)
            {
                best = totals[i];
                ties.Clear();
                ties.Add(i);
            }
            else if (totals[i] == best)
            {
                ties.Add(i);
            }
        }

        return feasible[ties[ties.Count == 1 ? 0 : _random.Next(ties.Count)]].Name;
    }
}
