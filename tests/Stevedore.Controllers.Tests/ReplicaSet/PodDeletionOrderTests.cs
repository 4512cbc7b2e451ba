using k8s.Models;
using Stevedore.Controllers.ReplicaSet;

namespace Stevedore.Controllers.Tests.ReplicaSet;

public class PodDeletionOrderTests
{
    /// <summary>Each case: a pod that must be deleted before the other one.</summary>
    public static TheoryData<string, V1Pod, V1Pod> FirstBeforeSecond => new()
    {
        { "unassigned before assigned", Build.Pod("a", node: null, phase: "Pending", ready: false), Build.Pod("b", phase: "Pending", ready: false) },
        { "pending before unknown", Build.Pod("a", phase: "Pending", ready: false), Build.Pod("b", phase: "Unknown", ready: false) },
        { "unknown before running", Build.Pod("a", phase: "Unknown", ready: false), Build.Pod("b", phase: "Running", ready: false) },
        { "not ready before ready", Build.Pod("a", ready: false), Build.Pod("b") },
        { "lower deletion cost first", WithCost(Build.Pod("a"), "-5"), WithCost(Build.Pod("b"), "10") },
        { "ready for less time first", Build.Pod("a", readySince: Build.Now.AddMinutes(-1)), Build.Pod("b", readySince: Build.Now.AddHours(-5)) },
        { "more restarts first", Build.Pod("a", restarts: 5), Build.Pod("b", restarts: 1) },
        { "newer first", Build.Pod("a", created: Build.Now.AddMinutes(-2)), Build.Pod("b", created: Build.Now.AddDays(-3)) },
    };

    [Theory]
    [MemberData(nameof(FirstBeforeSecond))]
    public void Choose_OnePod_PicksTheMoreExpendable(string description, V1Pod first, V1Pod second)
    {
        Assert.Equal("a", PodDeletionOrder.Choose([second, first], 1, [], Build.Now)[0].Metadata.Name);
        Assert.True(PodDeletionOrder.Choose([first, second], 1, [], Build.Now)[0].Metadata.Name == "a", description);
    }

    [Fact]
    public void Choose_DoubledUpNode_DeletesFromCrowdedNodeFirst()
    {
        var lonely = Build.Pod("a", node: "n1");
        var crowded = Build.Pod("b", node: "n2");
        var sibling = Build.Pod("c", node: "n2");

        var chosen = PodDeletionOrder.Choose([lonely, crowded], 1, [lonely, crowded, sibling], Build.Now);

        Assert.Equal("b", chosen[0].Metadata.Name);
    }

    [Fact]
    public void Choose_SimilarAges_SameLogBucketFallsBackToUid()
    {
        // 100 s and 101 s are in the same log2 bucket, so the newer one does not automatically go first.
        var older = Build.Pod("a", created: Build.Now.AddSeconds(-101));
        var newer = Build.Pod("b", created: Build.Now.AddSeconds(-100));

        Assert.Equal("a", PodDeletionOrder.Choose([newer, older], 1, [], Build.Now)[0].Metadata.Name);
    }

    private static V1Pod WithCost(V1Pod pod, string cost)
    {
        pod.Metadata.Annotations = new Dictionary<string, string> { [PodDeletionOrder.DeletionCostAnnotation] = cost };
        return pod;
    }
}
