using k8s.Models;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Pods;

/// <summary>A container's resources as CRI Linux resources: cpu shares from the request, CFS quota from the limit, memory limit.</summary>
public static class ContainerResources
{
    /// <summary>The CFS period upstream uses (100 ms).</summary>
    public const long CpuPeriod = 100_000;

    /// <summary>cgroup v1's smallest cpu.shares, also what a container without a cpu request gets.</summary>
    public const long MinShares = 2;

    /// <summary>The kernel's smallest CFS quota (1 ms).</summary>
    public const long MinQuota = 1_000;

    public static LinuxContainerResources For(V1Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        var limits = container.Resources?.Limits;
        var cpuLimit = QosClasses.Quantity(limits, "cpu");
        var cpuRequest = QosClasses.Quantity(container.Resources?.Requests, "cpu") ?? cpuLimit;
        var resources = new LinuxContainerResources { CpuShares = SharesOf(cpuRequest) };
        if (cpuLimit > 0)
        {
            resources.CpuPeriod = CpuPeriod;
            resources.CpuQuota = Math.Max(MinQuota, (long)Math.Ceiling(MilliCpu(cpuLimit.Value) * CpuPeriod / 1000m));
        }

        if (QosClasses.Quantity(limits, "memory") is > 0 and var memory)
        {
            resources.MemoryLimitInBytes = (long)Math.Ceiling(memory);
        }

        return resources;
    }

    /// <summary>cpu.shares for a request in cores: 1024 per core, at least <see cref="MinShares"/>.</summary>
    public static long SharesOf(decimal? cores) =>
        cores is > 0 ? Math.Max(MinShares, (long)(MilliCpu(cores.Value) * 1024 / 1000)) : MinShares;

    private static decimal MilliCpu(decimal cores) => Math.Ceiling(cores * 1000);
}
