using k8s.Models;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// A scheduling profile: the enabled plugins per extension point with their score weights, and
/// the runner for each extension point (the upstream "framework"). Filter and Score calls for
/// different nodes run on up to <see cref="PluginArgs.Parallelism"/> threads when there are many nodes.
/// </summary>
public sealed class Profile : IFrameworkHandle
{
    /// <summary>Below this many nodes, filters and scores run on the calling thread (cheaper than fanning out).</summary>
    internal const int ParallelThreshold = 128;

    private readonly List<IPlugin> _plugins = [];
    private readonly List<IPreFilterPlugin> _preFilter = [];
    private readonly List<IFilterPlugin> _filter = [];
    private readonly List<IPostFilterPlugin> _postFilter = [];
    private readonly List<IPreScorePlugin> _preScore = [];
    private readonly List<(IScorePlugin Plugin, int Weight)> _score = [];
    private readonly List<IReservePlugin> _reserve = [];
    private readonly List<IBindPlugin> _bind = [];

    // Score arrays of the last cycle, taken while a cycle scores (so overlapping callers never share them).
    private NodeScore[][]? _scoreArrays;

    private Profile(string schedulerName, PluginArgs args)
    {
        SchedulerName = schedulerName;
        Args = args;
    }

    /// <summary>The <c>spec.schedulerName</c> this profile serves.</summary>
    public string SchedulerName { get; }

    public PluginArgs Args { get; }

    public IReadOnlyList<IPlugin> Plugins => _plugins;

    /// <summary>Every built-in plugin with its default weight (see <see cref="global::Stevedore.Scheduler.Plugins.BuiltInPlugins"/>).</summary>
    public static Profile CreateDefault(PluginArgs? args = null) =>
        Create("default-scheduler", global::Stevedore.Scheduler.Plugins.BuiltInPlugins.All, args);

    /// <summary>A profile with the given plugins, in the given order (filters run in that order).</summary>
    public static Profile Create(string schedulerName, IEnumerable<PluginRegistration> registrations, PluginArgs? args = null)
    {
        var profile = new Profile(schedulerName, args ?? PluginArgs.Default);
        var context = new PluginContext(profile, profile.Args);
        foreach (var reg in registrations)
        {
            var plugin = reg.Factory(context);
            if (plugin.Name != reg.Name)
            {
                throw new InvalidOperationException($"plugin registered as {reg.Name} calls itself {plugin.Name}");
            }

            profile._plugins.Add(plugin);
            if (plugin is IPreFilterPlugin pf) profile._preFilter.Add(pf);
            if (plugin is IFilterPlugin f) profile._filter.Add(f);
            if (plugin is IPostFilterPlugin post) profile._postFilter.Add(post);
            if (plugin is IPreScorePlugin ps) profile._preScore.Add(ps);
            if (plugin is IScorePlugin s) profile._score.Add((s, reg.Weight));
            if (plugin is IReservePlugin r) profile._reserve.Add(r);
            if (plugin is IBindPlugin b) profile._bind.Add(b);
        }

        return profile;
    }

    /// <summary>The cluster events each plugin wants to hear about, for the scheduling queue.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ClusterEvent>> PluginEvents() =>
        _plugins.OfType<IEnqueueExtensions>().ToDictionary(p => p.Name, p => p.EventsToRegister(), StringComparer.Ordinal);

    /// <inheritdoc/>
    public Status RunPreFilterPlugins(CycleState state, V1Pod pod, ClusterSnapshot snapshot)
    {
        state.ActiveFilterPlugins = null;
        foreach (var plugin in _preFilter)
        {
            var status = plugin.PreFilter(state, pod, snapshot);
            if (status.IsSkip)
            {
                state.SkipFilterPlugins.Add(plugin.Name);
                continue;
            }

            if (!status.IsSuccess)
            {
                return status.WithPlugin(plugin.Name);
            }
        }

        return Status.Success;
    }

    /// <inheritdoc/>
    public Status RunFilterPlugins(CycleState state, V1Pod pod, NodeInfo nodeInfo)
    {
        // Runs once per node, so the PreFilter skips are resolved once per cycle, not per node.
        var active = state.ActiveFilterPlugins;
        if (active is null)
        {
            active = ActiveFilters(state);
            state.ActiveFilterPlugins = active;
        }

        foreach (var plugin in active)
        {
            var status = plugin.Filter(state, pod, nodeInfo);
            if (!status.IsSuccess)
            {
                return status.WithPlugin(plugin.Name);
            }
        }

        return Status.Success;
    }

    private IFilterPlugin[] ActiveFilters(CycleState state)
    {
        var active = new List<IFilterPlugin>(_filter.Count);
        foreach (var plugin in _filter)
        {
            if (!state.SkipFilterPlugins.Contains(plugin.Name))
            {
                active.Add(plugin);
            }
        }

        return [.. active];
    }

    /// <summary>Runs PostFilter plugins until one succeeds; otherwise joins their messages.</summary>
    public (PostFilterResult? Result, Status Status) RunPostFilterPlugins(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyDictionary<string, Status> statuses)
    {
        var reasons = new List<string>();
        foreach (var plugin in _postFilter)
        {
            var (result, status) = plugin.PostFilter(state, pod, snapshot, statuses);
            if (status.IsSuccess)
            {
                return (result, status.WithPlugin(plugin.Name));
            }

            if (status.Code == StatusCode.Error)
            {
                return (null, status.WithPlugin(plugin.Name));
            }

            reasons.AddRange(status.Reasons);
        }

        return (null, Status.Unschedulable([.. reasons]));
    }

    public Status RunPreScorePlugins(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        foreach (var plugin in _preScore)
        {
            var status = plugin.PreScore(state, pod, snapshot, nodes);
            if (status.IsSkip)
            {
                state.SkipScorePlugins.Add(plugin.Name);
                continue;
            }

            if (!status.IsSuccess)
            {
                return status.WithPlugin(plugin.Name);
            }
        }

        return Status.Success;
    }

    /// <summary>Scores, normalizes and weights every node; the totals are in the order of <paramref name="nodes"/>.</summary>
    public (long[] Totals, Status Status) RunScorePlugins(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        var totals = new long[nodes.Count];
        var active = new List<(IScorePlugin Plugin, int Weight)>(_score.Count);
        foreach (var entry in _score)
        {
            if (!state.SkipScorePlugins.Contains(entry.Plugin.Name))
            {
                active.Add(entry);
            }
        }

        // One pass over the nodes runs every plugin (one fan-out per cycle, not one per plugin).
        // The score arrays of the previous cycle are reused when the node count repeats (as it does
        // cycle after cycle with adaptive sampling): they are a few kilobytes per plugin per pod.
        var scores = RentScoreArrays(active.Count, nodes.Count);
        var failures = new Status?[active.Count];

        ForEachNode(nodes.Count, i =>
        {
            var node = nodes[i];
            for (var p = 0; p < active.Count; p++)
            {
                var status = active[p].Plugin.Score(state, pod, node, out var score);
                if (!status.IsSuccess)
                {
                    failures[p] = status;
                }

                scores[p][i] = new NodeScore(node.Name, score);
            }
        });

        for (var p = 0; p < active.Count; p++)
        {
            var (plugin, weight) = active[p];
            if (failures[p] is { } failure)
            {
                return (totals, failure.WithPlugin(plugin.Name));
            }

            var normalized = plugin.NormalizeScore(state, pod, scores[p]);
            if (!normalized.IsSuccess)
            {
                return (totals, normalized.WithPlugin(plugin.Name));
            }

            var pluginScores = scores[p];
            for (var i = 0; i < pluginScores.Length; i++)
            {
                if (pluginScores[i].Score is < NodeScore.MinNodeScore or > NodeScore.MaxNodeScore)
                {
                    return (totals, Status.Error($"plugin {plugin.Name} returns an invalid score {pluginScores[i].Score} for node {pluginScores[i].Name}").WithPlugin(plugin.Name));
                }

                totals[i] += pluginScores[i].Score * weight;
            }
        }

        ReturnScoreArrays(scores);
        return (totals, Status.Success);
    }

    private NodeScore[][] RentScoreArrays(int plugins, int nodes)
    {
        var cached = Interlocked.Exchange(ref _scoreArrays, null);
        if (cached is not null && cached.Length == plugins && (plugins == 0 || cached[0].Length == nodes))
        {
            return cached;
        }

        var arrays = new NodeScore[plugins][];
        for (var p = 0; p < plugins; p++)
        {
            arrays[p] = new NodeScore[nodes];
        }

        return arrays;
    }

    // Only on success: after a failure the arrays are simply dropped (they may be half written, which
    // would not matter, but failures are rare enough not to bother).
    private void ReturnScoreArrays(NodeScore[][] arrays) => Volatile.Write(ref _scoreArrays, arrays);

    /// <summary>Runs Reserve plugins; on failure the ones already run are unreserved.</summary>
    public Status RunReservePlugins(CycleState state, V1Pod pod, string nodeName)
    {
        for (var i = 0; i < _reserve.Count; i++)
        {
            var status = _reserve[i].Reserve(state, pod, nodeName);
            if (!status.IsSuccess)
            {
                for (var j = i; j >= 0; j--)
                {
                    _reserve[j].Unreserve(state, pod, nodeName);
                }

                return status.WithPlugin(_reserve[i].Name);
            }
        }

        return Status.Success;
    }

    public void RunUnreservePlugins(CycleState state, V1Pod pod, string nodeName)
    {
        for (var i = _reserve.Count - 1; i >= 0; i--)
        {
            _reserve[i].Unreserve(state, pod, nodeName);
        }
    }

    /// <summary>Asks Bind plugins in order until one does not Skip. With none registered the result is Skip: the host binds.</summary>
    public async Task<Status> RunBindPluginsAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        foreach (var plugin in _bind)
        {
            var status = await plugin.BindAsync(state, pod, nodeName, cancellationToken).ConfigureAwait(false);
            if (!status.IsSkip)
            {
                return status.WithPlugin(plugin.Name);
            }
        }

        return Status.Skip;
    }

    internal void ForEachNode(int count, Action<int> body)
    {
        if (count < ParallelThreshold || Args.Parallelism <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                body(i);
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Args.Parallelism }, body);
    }
}
