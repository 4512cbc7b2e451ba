using k8s.Models;
using Stevedore.Scheduler.Framework;

namespace Stevedore.Scheduler.Plugins.ImageLocality;

/// <summary>
/// Prefers nodes that already hold the pod's images, weighting each image by its size and by
/// how widely it is spread (an image on every node says little), as upstream.
/// </summary>
public sealed class ImageLocalityPlugin : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "ImageLocality";

    private const long Mb = 1024 * 1024;

    /// <summary>Below this summed score a node scores 0 (upstream 23 MB).</summary>
    public const long MinThreshold = 23 * Mb;

    /// <summary>Per container, above this summed score a node scores 100 (upstream 1000 MB).</summary>
    public const long MaxContainerThreshold = 1000 * Mb;

    private const string StateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    public Status PreScore(CycleState state, V1Pod pod, ClusterSnapshot snapshot, IReadOnlyList<NodeInfo> nodes)
    {
        // Image spread is a cluster-wide number; Score only sees one node.
        state.Write(StateKey, new ScoreState(snapshot, PodImages(pod)));
        return Status.Success;
    }

    public Status Score(CycleState state, V1Pod pod, NodeInfo nodeInfo, out long score)
    {
        score = 0;
        if (!state.TryRead<ScoreState>(StateKey, out var s))
        {
            return Status.Error($"{PluginName}: PreScore state missing");
        }

        score = Score(s.Images, nodeInfo, s.Snapshot);
        return Status.Success;
    }

    public static long Score(V1Pod pod, NodeInfo nodeInfo, ClusterSnapshot snapshot) => Score(PodImages(pod), nodeInfo, snapshot);

    private static long Score(ImageList images, NodeInfo nodeInfo, ClusterSnapshot snapshot)
    {
        var totalNodes = Math.Max(1, snapshot.NodeCount);
        long sum = 0;
        foreach (var name in images.Names)
        {
            if (nodeInfo.ImageSizes.TryGetValue(name, out var size))
            {
                var spread = (double)snapshot.ImageNodeCount(name) / totalNodes;
                sum += (long)(size * spread);
            }
        }

        var maxThreshold = MaxContainerThreshold * Math.Max(1, images.ContainerCount);
        sum = Math.Clamp(sum, MinThreshold, maxThreshold);
        return NodeScore.MaxNodeScore * (sum - MinThreshold) / (maxThreshold - MinThreshold);
    }

    private static ImageList PodImages(V1Pod pod)
    {
        var containers = (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []).ToList();
        var names = containers.Where(c => !string.IsNullOrEmpty(c.Image)).Select(c => ImageNames.Normalize(c.Image)).ToList();
        return new ImageList(names, containers.Count);
    }

    private sealed record ImageList(List<string> Names, int ContainerCount);

    private sealed record ScoreState(ClusterSnapshot Snapshot, ImageList Images);
}
