using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Host;

namespace Stevedore.Scheduler.Tests.Host;

public sealed class NodeChangeEventsTests
{
    private static V1Node Node(Action<V1Node>? change = null)
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "n", Labels = new Dictionary<string, string> { ["a"] = "1" } },
            Spec = new V1NodeSpec(),
            Status = new V1NodeStatus
            {
                Allocatable = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("4") },
                Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) }],
            },
        };
        change?.Invoke(node);
        return node;
    }

    public static TheoryData<string, Action<V1Node>, string[]> Changes => new()
    {
        { "heartbeat only", n => n.Status.Conditions[0].LastHeartbeatTime = new DateTime(2026, 1, 1, 0, 0, 10, DateTimeKind.Utc), [] },
        { "label added", n => n.Metadata.Labels["disk"] = "ssd", ["NodeLabelChange"] },
        { "labels removed", n => n.Metadata.Labels = null, ["NodeLabelChange"] },
        { "taint added", n => n.Spec.Taints = [new V1Taint { Key = "k", Effect = "NoSchedule" }], ["NodeTaintChange"] },
        { "cordoned", n => n.Spec.Unschedulable = true, ["NodeSpecUnschedulableChange"] },
        { "allocatable grew", n => n.Status.Allocatable["cpu"] = new ResourceQuantity("8"), ["NodeAllocatableChange"] },
        { "became not ready", n => n.Status.Conditions[0].Status = "False", ["NodeConditionChange"] },
        { "conditions gone", n => n.Status.Conditions = null, ["NodeConditionChange"] },
        { "label and taint", n => { n.Metadata.Labels["x"] = "y"; n.Spec.Taints = [new V1Taint { Key = "k", Effect = "NoExecute" }]; }, ["NodeLabelChange", "NodeTaintChange"] },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Between_Change_ReportsMatchingEvents(string description, Action<V1Node> change, string[] expected)
    {
        var events = NodeChangeEvents.Between(Node(), Node(change));

        Assert.True(expected.SequenceEqual(events.Select(e => e.Label)), $"{description}: got {string.Join(",", events.Select(e => e.Label))}");
    }
}
