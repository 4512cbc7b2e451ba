using k8s.Models;

namespace Stevedore.Scheduler.Tests.Fixtures;

/// <summary>Fluent V1Node construction for compact test tables.</summary>
internal sealed class NodeBuilder
{
    private readonly V1Node _node;

    public NodeBuilder(string name)
    {
        _node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec(),
            Status = new V1NodeStatus
            {
                Allocatable = new Dictionary<string, ResourceQuantity>
                {
                    ["cpu"] = new("4"),
                    ["memory"] = new("8Gi"),
                    ["pods"] = new("110"),
                    ["ephemeral-storage"] = new("100Gi"),
                },
            },
        };
    }

    public NodeBuilder Allocatable(string resource, string quantity)
    {
        _node.Status.Allocatable[resource] = new ResourceQuantity(quantity);
        return this;
    }

    public NodeBuilder Cpu(string quantity) => Allocatable("cpu", quantity);

    public NodeBuilder Memory(string quantity) => Allocatable("memory", quantity);

    public NodeBuilder MaxPods(int pods) => Allocatable("pods", pods.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public NodeBuilder Label(string key, string value)
    {
        _node.Metadata.Labels[key] = value;
        return this;
    }

    public NodeBuilder Taint(string key, string value, string effect)
    {
        _node.Spec.Taints ??= [];
        _node.Spec.Taints.Add(new V1Taint { Key = key, Value = value, Effect = effect });
        return this;
    }

    public NodeBuilder Unschedulable()
    {
        _node.Spec.Unschedulable = true;
        return this;
    }

    public NodeBuilder Image(long sizeBytes, params string[] names)
    {
        _node.Status.Images ??= [];
        _node.Status.Images.Add(new V1ContainerImage { Names = names, SizeBytes = sizeBytes });
        return this;
    }

    public V1Node Build() => _node;

    public static implicit operator V1Node(NodeBuilder b) => b.Build();
}
