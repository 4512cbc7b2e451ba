using k8s.Models;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Framework;

public class PodRequestsTests
{
    public static TheoryData<string, V1Pod, long, long> Cases => new()
    {
        { "sum of app containers", Make.Pod("a").Req("1", "1Gi").Container("b", "2", "1Gi"), 3000, 2L << 30 },
        { "apps bigger than init", Make.Pod("a").Req("1", "1Gi").Container("b", "2", "1Gi").Init("i", "2", "1Gi"), 3000, 2L << 30 },
        { "init bigger than apps", Make.Pod("a").Req("1", "1Gi").Init("i", "4", "512Mi"), 4000, 1L << 30 },
        { "max per resource", Make.Pod("a").Req("1", "3Gi").Init("i", "2", "1Gi"), 2000, 3L << 30 },
        { "sidecar adds to apps", Make.Pod("a").Req("1", "1Gi").Init("s", "1", "1Gi", sidecar: true), 2000, 2L << 30 },
        { "init after sidecar runs beside it", Make.Pod("a").Req("1", "1Gi").Init("s", "1", "1Gi", sidecar: true).Init("i", "3", "1Gi"), 4000, 2L << 30 },
        { "overhead added", Make.Pod("a").Req("1", "1Gi").Overhead("250m", "128Mi"), 1250, (1L << 30) + (128L << 20) },
        { "millicores rounded up", Make.Pod("a").Req("0.0001", ""), 1, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_Containers_MaxOfSumAndInitPlusOverhead(string name, V1Pod pod, long milliCpu, long memory)
    {
        var r = PodRequests.Compute(pod);

        Assert.True(milliCpu == r.MilliCpu, name);
        Assert.Equal(memory, r.MemoryBytes);
    }

    [Fact]
    public void ComputeNonZero_NoRequests_UsesDefaults()
    {
        var r = PodRequests.ComputeNonZero(Make.Pod("a"));

        Assert.Equal(Resource.DefaultMilliCpuRequest, r.MilliCpu);
        Assert.Equal(Resource.DefaultMemoryRequest, r.MemoryBytes);
    }
}
