using Stevedore.Controllers.Deployment;

namespace Stevedore.Controllers.Tests.Deployment;

public class RolloutMathTests
{
    [Theory]
    [InlineData("25%", "25%", 10, 3, 2)]
    [InlineData("25%", "25%", 3, 1, 0)]
    [InlineData("30%", "30%", 4, 2, 1)]
    [InlineData("0", "0", 5, 0, 1)]
    [InlineData("0%", "0%", 5, 0, 1)]
    [InlineData("2", "1", 3, 2, 1)]
    [InlineData("100%", "0", 3, 3, 0)]
    public void ResolveFenceposts_Values_SurgeRoundsUpUnavailableDown(string surge, string unavailable, int desired, int expectedSurge, int expectedUnavailable) =>
        Assert.Equal((expectedSurge, expectedUnavailable), RolloutMath.ResolveFenceposts(surge, unavailable, desired));

    [Theory]
    [InlineData("RollingUpdate", 3, "5", 3)]
    [InlineData("RollingUpdate", 0, "1", 0)]
    [InlineData("Recreate", 3, "1", 0)]
    public void MaxUnavailable_Strategy_CappedAtReplicas(string strategy, int replicas, string maxUnavailable, int expected) =>
        Assert.Equal(expected, RolloutMath.MaxUnavailable(Build.Deployment(replicas: replicas, strategy: strategy, maxUnavailable: maxUnavailable)));

    [Theory]
    [InlineData(10, "3", 0, 10, 3)]
    [InlineData(10, "3", 0, 13, 0)]
    [InlineData(10, "3", 5, 6, 7)]
    [InlineData(3, "1", 2, 2, 2)]
    public void NewReplicaSetReplicas_RollingUpdate_BoundedBySurge(int replicas, string surge, int newReplicas, int oldReplicas, int expected)
    {
        var d = Build.Deployment(replicas: replicas, maxSurge: surge, maxUnavailable: "0");
        var newSet = Build.ReplicaSet("new", newReplicas);
        var oldSet = Build.ReplicaSet("old", oldReplicas);

        Assert.Equal(expected, RolloutMath.NewReplicaSetReplicas(d, [oldSet, newSet], newSet));
    }

    [Fact]
    public void NewReplicaSetReplicas_Recreate_AllAtOnce() =>
        Assert.Equal(3, RolloutMath.NewReplicaSetReplicas(Build.Deployment(strategy: "Recreate"), [], Build.ReplicaSet("new", 0)));
}
