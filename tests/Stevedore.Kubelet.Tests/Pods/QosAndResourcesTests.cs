using k8s.Models;
using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.Tests.Pods;

public sealed class QosAndResourcesTests
{
    public static TheoryData<string?, string?, string?, string?, string> QosCases => new()
    {
        // cpu request, cpu limit, memory request, memory limit → class
        { null, null, null, null, "BestEffort" },
        { "100m", null, null, null, "Burstable" },
        { "100m", "100m", "64Mi", "64Mi", "Guaranteed" },
        { null, "100m", null, "64Mi", "Guaranteed" },
        { "50m", "100m", "64Mi", "64Mi", "Burstable" },
        { "100m", "100m", null, null, "Burstable" },
        { "0", null, "0", null, "BestEffort" },
    };

    [Theory]
    [MemberData(nameof(QosCases))]
    public void Compute_OneContainer_UpstreamClass(string? cpuRequest, string? cpuLimit, string? memoryRequest, string? memoryLimit, string expected)
    {
        var spec = new V1PodSpec { Containers = [WithResources("a", cpuRequest, cpuLimit, memoryRequest, memoryLimit)] };

        Assert.Equal(expected, QosClasses.Compute(spec));
    }

    [Fact]
    public void Compute_OneGuaranteedOneBestEffortContainer_Burstable()
    {
        var spec = new V1PodSpec { Containers = [WithResources("a", "1", "1", "1Gi", "1Gi"), new V1Container { Name = "b" }] };

        Assert.Equal("Burstable", QosClasses.Compute(spec));
    }

    [Fact]
    public void Compute_InitContainerWithoutLimits_BreaksGuaranteed()
    {
        var spec = new V1PodSpec
        {
            Containers = [WithResources("a", "1", "1", "1Gi", "1Gi")],
            InitContainers = [WithResources("i", "100m", null, null, null)],
        };

        Assert.Equal("Burstable", QosClasses.Compute(spec));
    }

    public static TheoryData<string?, string?, string?, long, long, long, long> ResourceCases => new()
    {
        // cpu request, cpu limit, memory limit → shares, quota, period, memory bytes
        { null, null, null, 2, 0, 0, 0 },
        { "100m", null, null, 102, 0, 0, 0 },
        { "1", null, null, 1024, 0, 0, 0 },
        { "250m", "500m", "128Mi", 256, 50_000, 100_000, 134_217_728 },
        { null, "2", null, 2048, 200_000, 100_000, 0 },
        { "1m", "1m", null, 2, 1_000, 100_000, 0 },
        { null, null, "1Gi", 2, 0, 0, 1_073_741_824 },
    };

    [Theory]
    [MemberData(nameof(ResourceCases))]
    public void For_Container_CriLinuxResources(string? cpuRequest, string? cpuLimit, string? memoryLimit, long shares, long quota, long period, long memory)
    {
        var resources = ContainerResources.For(WithResources("a", cpuRequest, cpuLimit, null, memoryLimit));

        Assert.Equal((shares, quota, period, memory), (resources.CpuShares, resources.CpuQuota, resources.CpuPeriod, resources.MemoryLimitInBytes));
    }

    private static V1Container WithResources(string name, string? cpuRequest, string? cpuLimit, string? memoryRequest, string? memoryLimit)
    {
        var requests = new Dictionary<string, ResourceQuantity>();
        var limits = new Dictionary<string, ResourceQuantity>();
        if (cpuRequest is not null)
        {
            requests["cpu"] = new ResourceQuantity(cpuRequest);
        }

        if (memoryRequest is not null)
        {
            requests["memory"] = new ResourceQuantity(memoryRequest);
        }

        if (cpuLimit is not null)
        {
            limits["cpu"] = new ResourceQuantity(cpuLimit);
        }

        if (memoryLimit is not null)
        {
            limits["memory"] = new ResourceQuantity(memoryLimit);
        }

        return new V1Container { Name = name, Resources = new V1ResourceRequirements { Requests = requests, Limits = limits } };
    }
}
