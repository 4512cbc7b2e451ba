using k8s.Models;
using Stevedore.Controllers.Namespace;

namespace Stevedore.Controllers.Tests.Namespace;

public class NamespaceLogicTests
{
    private static readonly NamespacedResource Pods = new(string.Empty, "v1", "pods");
    private static readonly NamespacedResource ConfigMaps = new(string.Empty, "v1", "configmaps");
    private static readonly NamespacedResource Deployments = new("apps", "v1", "deployments");
    private static readonly NamespacedResource Widgets = new("example.com", "v1", "widgets");

    private static V1Namespace Terminating(params string[] finalizers) => new()
    {
        Metadata = new V1ObjectMeta { Name = "team", DeletionTimestamp = Build.Now.AddMinutes(-1) },
        Spec = new V1NamespaceSpec { Finalizers = finalizers.Length == 0 ? ["kubernetes"] : finalizers },
        Status = new V1NamespaceStatus { Phase = "Active" },
    };

    private static V1NamespaceCondition Condition(NamespaceDeletionOutcome outcome, string type) =>
        outcome.Status.Conditions.Single(c => c.Type == type);

    [Theory]
    [InlineData(true, new[] { "kubernetes" }, true)]
    [InlineData(true, new[] { "other" }, false)]
    [InlineData(false, new[] { "kubernetes" }, false)]
    public void NeedsDeletion_DeletionAndFinalizer_Required(bool deleting, string[] finalizers, bool expected)
    {
        var ns = Terminating(finalizers);
        ns.Metadata.DeletionTimestamp = deleting ? Build.Now : null;

        Assert.Equal(expected, NamespaceLogic.NeedsDeletion(ns));
    }

    [Fact]
    public void DeletionOrder_Discovered_ControllersThenPodsThenRest()
    {
        var order = NamespaceLogic.DeletionOrder([Widgets, ConfigMaps, Pods, Deployments, new NamespacedResource("x", "v1", "readonly", CanList: false)]);

        Assert.Equal(["deployments", "pods", "configmaps", "widgets"], order.Select(r => r.Resource));
    }

    [Fact]
    public void Evaluate_Empty_FinalizesWithOkConditions()
    {
        var outcome = NamespaceLogic.Evaluate(Terminating("kubernetes", "example.com/keep"), [new ResourceContent(Pods, null, 0)], null, Build.Now);

        Assert.True(outcome.Finalize);
        Assert.False(outcome.Failed);
        Assert.Equal(["example.com/keep"], outcome.FinalizedSpec.Finalizers);
        Assert.Equal("Terminating", outcome.Status.Phase);
        Assert.Equal(5, outcome.Status.Conditions.Count);
        Assert.All(outcome.Status.Conditions, c => Assert.Equal("False", c.Status));
        var remaining = Condition(outcome, "NamespaceContentRemaining");
        Assert.Equal(("ContentRemoved", "All content successfully removed"), (remaining.Reason, remaining.Message));
        Assert.Equal("All content-preserving finalizers finished", Condition(outcome, "NamespaceFinalizersRemaining").Message);
    }

    [Fact]
    public void Evaluate_PodsTerminating_WaitsWithRemainingCondition()
    {
        var outcome = NamespaceLogic.Evaluate(Terminating(), [new ResourceContent(Pods, null, 2, EstimateSeconds: 30), new ResourceContent(Deployments, null, 1, EstimateSeconds: 1)], null, Build.Now);

        Assert.False(outcome.Finalize);
        Assert.Equal(TimeSpan.FromSeconds(30), outcome.RequeueAfter);
        var remaining = Condition(outcome, "NamespaceContentRemaining");
        Assert.Equal(("True", "SomeResourcesRemain"), (remaining.Status, remaining.Reason));
        Assert.Equal("Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances", remaining.Message);
    }

    [Fact]
    public void Evaluate_FinalizersOnContent_ReportsFinalizersRemaining()
    {
        var content = new ResourceContent(Widgets, null, 3, new Dictionary<string, int> { ["example.com/cleanup"] = 3 });

        var outcome = NamespaceLogic.Evaluate(Terminating(), [content], null, Build.Now);

        var finalizers = Condition(outcome, "NamespaceFinalizersRemaining");
        Assert.Equal(("True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: example.com/cleanup in 3 resource instances"), (finalizers.Status, finalizers.Reason, finalizers.Message));
        Assert.Equal(TimeSpan.FromSeconds(NamespaceLogic.FinalizerEstimateSeconds), outcome.RequeueAfter);
    }

    [Fact]
    public void Evaluate_DeleteFailed_ContentFailureAndNoFinalize()
    {
        var outcome = NamespaceLogic.Evaluate(Terminating(), [new ResourceContent(ConfigMaps, "etcdserver: request timed out", 0)], null, Build.Now);

        Assert.True(outcome.Failed);
        Assert.False(outcome.Finalize);
        var failure = Condition(outcome, "NamespaceDeletionContentFailure");
        Assert.Equal(("True", "ContentDeletionFailed", "Failed to delete all resource types, 1 remaining: etcdserver: request timed out"), (failure.Status, failure.Reason, failure.Message));
    }

    [Fact]
    public void Evaluate_DiscoveryFailed_NeverFinalizes()
    {
        var outcome = NamespaceLogic.Evaluate(Terminating(), [], "Discovery failed for some groups, 1 failing: metrics.k8s.io/v1beta1: stale GroupVersion discovery", Build.Now);

        Assert.False(outcome.Finalize);
        Assert.True(outcome.Failed);
        Assert.Equal("DiscoveryFailed", Condition(outcome, "NamespaceDeletionDiscoveryFailure").Reason);
    }

    [Fact]
    public void Evaluate_SameConditionsAgain_KeepTransitionTimesAndReportNoChange()
    {
        var ns = Terminating();
        var first = NamespaceLogic.Evaluate(ns, [new ResourceContent(Pods, null, 1, EstimateSeconds: 5)], null, Build.Now);
        ns.Status = first.Status;

        var second = NamespaceLogic.Evaluate(ns, [new ResourceContent(Pods, null, 1, EstimateSeconds: 5)], null, Build.Now.AddMinutes(1));

        Assert.False(second.StatusChanged);
        Assert.All(second.Status.Conditions, c => Assert.Equal(Build.Now, c.LastTransitionTime));
    }
}
