using k8s.Models;

namespace Stevedore.Scheduler.Tests.Fixtures;

/// <summary>Fluent V1Pod construction for compact test tables.</summary>
internal sealed class PodBuilder
{
    private readonly V1Pod _pod;

    public PodBuilder(string name, string ns = "default")
    {
        _pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string>(), CreationTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox" }] },
            Status = new V1PodStatus { Phase = "Pending" },
        };
    }

    private V1Container Main => _pod.Spec.Containers[0];

    /// <summary>Requests on the first container ("" leaves a resource unset).</summary>
    public PodBuilder Req(string cpu = "", string memory = "")
    {
        Main.Resources ??= new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity>() };
        Main.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
        if (cpu.Length > 0) Main.Resources.Requests["cpu"] = new ResourceQuantity(cpu);
        if (memory.Length > 0) Main.Resources.Requests["memory"] = new ResourceQuantity(memory);
        return this;
    }

    public PodBuilder Request(string resource, string quantity)
    {
        Main.Resources ??= new V1ResourceRequirements();
        Main.Resources.Requests ??= new Dictionary<string, ResourceQuantity>();
        Main.Resources.Requests[resource] = new ResourceQuantity(quantity);
        return this;
    }

    public PodBuilder Container(string name, string cpu, string memory, string? image = null)
    {
        _pod.Spec.Containers.Add(Make.Container(name, cpu, memory, image));
        return this;
    }

    public PodBuilder Init(string name, string cpu, string memory, bool sidecar = false)
    {
        _pod.Spec.InitContainers ??= [];
        var c = Make.Container(name, cpu, memory, null);
        if (sidecar)
        {
            c.RestartPolicy = "Always";
        }

        _pod.Spec.InitContainers.Add(c);
        return this;
    }

    public PodBuilder Overhead(string cpu, string memory)
    {
        _pod.Spec.Overhead = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) };
        return this;
    }

    public PodBuilder Image(string image)
    {
        Main.Image = image;
        return this;
    }

    public PodBuilder Label(string key, string value)
    {
        _pod.Metadata.Labels[key] = value;
        return this;
    }

    public PodBuilder Node(string nodeName)
    {
        _pod.Spec.NodeName = nodeName;
        _pod.Status.Phase = "Running";
        return this;
    }

    public PodBuilder Priority(int priority)
    {
        _pod.Spec.Priority = priority;
        return this;
    }

    public PodBuilder PreemptionPolicy(string policy)
    {
        _pod.Spec.PreemptionPolicy = policy;
        return this;
    }

    public PodBuilder HostPort(int port, string protocol = "TCP", string? hostIp = null)
    {
        Main.Ports ??= [];
        Main.Ports.Add(new V1ContainerPort { ContainerPort = port, HostPort = port, Protocol = protocol, HostIP = hostIp });
        return this;
    }

    public PodBuilder Toleration(string key, string op, string value, string effect)
    {
        _pod.Spec.Tolerations ??= [];
        _pod.Spec.Tolerations.Add(new V1Toleration { Key = key, OperatorProperty = op, Value = value, Effect = effect });
        return this;
    }

    public PodBuilder NodeSelector(string key, string value)
    {
        _pod.Spec.NodeSelector ??= new Dictionary<string, string>();
        _pod.Spec.NodeSelector[key] = value;
        return this;
    }

    private V1Affinity Affinity => _pod.Spec.Affinity ??= new V1Affinity();

    /// <summary>Adds a required node affinity term with one expression.</summary>
    public PodBuilder RequiredNodeTerm(string key, string op, params string[] values)
    {
        var na = Affinity.NodeAffinity ??= new V1NodeAffinity();
        na.RequiredDuringSchedulingIgnoredDuringExecution ??= new V1NodeSelector { NodeSelectorTerms = [] };
        na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Add(new V1NodeSelectorTerm
        {
            MatchExpressions = [new V1NodeSelectorRequirement { Key = key, OperatorProperty = op, Values = values.Length == 0 ? null : values }],
        });
        return this;
    }

    public PodBuilder RequiredNodeFieldTerm(string op, params string[] names)
    {
        var na = Affinity.NodeAffinity ??= new V1NodeAffinity();
        na.RequiredDuringSchedulingIgnoredDuringExecution ??= new V1NodeSelector { NodeSelectorTerms = [] };
        na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Add(new V1NodeSelectorTerm
        {
            MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = op, Values = names }],
        });
        return this;
    }

    public PodBuilder PreferredNodeTerm(int weight, string key, string op, params string[] values)
    {
        var na = Affinity.NodeAffinity ??= new V1NodeAffinity();
        na.PreferredDuringSchedulingIgnoredDuringExecution ??= [];
        na.PreferredDuringSchedulingIgnoredDuringExecution.Add(new V1PreferredSchedulingTerm
        {
            Weight = weight,
            Preference = new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = key, OperatorProperty = op, Values = values }] },
        });
        return this;
    }

    public PodBuilder PodAffinity(string labelKey, string labelValue, string topologyKey, IList<string>? namespaces = null, V1LabelSelector? namespaceSelector = null)
    {
        var pa = Affinity.PodAffinity ??= new V1PodAffinity();
        pa.RequiredDuringSchedulingIgnoredDuringExecution ??= [];
        pa.RequiredDuringSchedulingIgnoredDuringExecution.Add(Make.Term(labelKey, labelValue, topologyKey, namespaces, namespaceSelector));
        return this;
    }

    public PodBuilder PodAntiAffinity(string labelKey, string labelValue, string topologyKey)
    {
        var pa = Affinity.PodAntiAffinity ??= new V1PodAntiAffinity();
        pa.RequiredDuringSchedulingIgnoredDuringExecution ??= [];
        pa.RequiredDuringSchedulingIgnoredDuringExecution.Add(Make.Term(labelKey, labelValue, topologyKey));
        return this;
    }

    public PodBuilder PreferredPodAffinity(int weight, string labelKey, string labelValue, string topologyKey)
    {
        var pa = Affinity.PodAffinity ??= new V1PodAffinity();
        pa.PreferredDuringSchedulingIgnoredDuringExecution ??= [];
        pa.PreferredDuringSchedulingIgnoredDuringExecution.Add(new V1WeightedPodAffinityTerm { Weight = weight, PodAffinityTerm = Make.Term(labelKey, labelValue, topologyKey) });
        return this;
    }

    public PodBuilder PreferredPodAntiAffinity(int weight, string labelKey, string labelValue, string topologyKey)
    {
        var pa = Affinity.PodAntiAffinity ??= new V1PodAntiAffinity();
        pa.PreferredDuringSchedulingIgnoredDuringExecution ??= [];
        pa.PreferredDuringSchedulingIgnoredDuringExecution.Add(new V1WeightedPodAffinityTerm { Weight = weight, PodAffinityTerm = Make.Term(labelKey, labelValue, topologyKey) });
        return this;
    }

    public PodBuilder Spread(int maxSkew, string topologyKey, string whenUnsatisfiable, string labelKey, string labelValue, int? minDomains = null)
    {
        _pod.Spec.TopologySpreadConstraints ??= [];
        _pod.Spec.TopologySpreadConstraints.Add(new V1TopologySpreadConstraint
        {
            MaxSkew = maxSkew,
            TopologyKey = topologyKey,
            WhenUnsatisfiable = whenUnsatisfiable,
            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [labelKey] = labelValue } },
            MinDomains = minDomains,
        });
        return this;
    }

    public PodBuilder Terminating()
    {
        _pod.Metadata.DeletionTimestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return this;
    }

    public PodBuilder StartTime(DateTime start)
    {
        _pod.Status.StartTime = start;
        return this;
    }

    public PodBuilder NominatedNode(string node)
    {
        _pod.Status.NominatedNodeName = node;
        return this;
    }

    public V1Pod Build() => _pod;

    public static implicit operator V1Pod(PodBuilder b) => b.Build();
}
