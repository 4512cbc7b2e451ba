using k8s.Models;
using Stevedore.Controllers.NodeLifecycle;

namespace Stevedore.Controllers.Tests.NodeLifecycle;

public class TaintEvictionTests
{
    private static readonly V1Taint Unreachable = new() { Key = NodeTaintKeys.Unreachable, Effect = "NoExecute", TimeAdded = Build.Now };

    private static V1Pod PodWith(params V1Toleration[] tolerations)
    {
        var pod = Build.Pod("p");
        pod.Spec.Tolerations = tolerations;
        return pod;
    }

    /// <summary>Expected: "now" (untolerated), "never", or seconds after the taint was added.</summary>
    public static TheoryData<string, V1Toleration[], string> Cases => new()
    {
        { "no toleration", [], "now" },
        { "300 s", [new V1Toleration { Key = NodeTaintKeys.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 }], "300" },
        { "forever", [new V1Toleration { Key = NodeTaintKeys.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute" }], "never" },
        { "wildcard key", [new V1Toleration { OperatorProperty = "Exists", TolerationSeconds = 60 }], "60" },
        { "wrong effect", [new V1Toleration { Key = NodeTaintKeys.Unreachable, OperatorProperty = "Exists", Effect = "NoSchedule" }], "now" },
        { "negative seconds count as zero", [new V1Toleration { Key = NodeTaintKeys.Unreachable, OperatorProperty = "Exists", TolerationSeconds = -5 }], "0" },
        { "equal with wrong value", [new V1Toleration { Key = NodeTaintKeys.Unreachable, Value = "x", Effect = "NoExecute" }], "now" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EvictionTime_Tolerations_FollowShortestTolerationSeconds(string description, V1Toleration[] tolerations, string when)
    {
        var now = Build.Now.AddSeconds(10);
        var at = TaintEviction.EvictionTime(PodWith(tolerations), [Unreachable], now);

        var expected = when switch
        {
            "never" => (DateTime?)null,
            "now" => now,
            _ => Build.Now.AddSeconds(int.Parse(when, System.Globalization.CultureInfo.InvariantCulture)),
        };
        Assert.True(expected == at, $"{description}: expected {expected:O}, got {at:O}");
    }

    [Fact]
    public void EvictionTime_NoNoExecuteTaints_Never() =>
        Assert.Null(TaintEviction.EvictionTime(PodWith(), [new V1Taint { Key = "k", Effect = "NoSchedule" }], Build.Now));

    [Fact]
    public void EvictionTime_OneOfTwoTaintsUntolerated_Now()
    {
        var other = new V1Taint { Key = NodeTaintKeys.NotReady, Effect = "NoExecute", TimeAdded = Build.Now };
        var pod = PodWith(new V1Toleration { Key = NodeTaintKeys.Unreachable, OperatorProperty = "Exists", TolerationSeconds = 300 });

        Assert.Equal(Build.Now, TaintEviction.EvictionTime(pod, [Unreachable, other], Build.Now));
    }

    [Fact]
    public void EvictionTime_DefaultUnreachableTolerationOf300_EvictsAfter300Seconds()
    {
        // What the API server's DefaultTolerationSeconds admission gives every pod.
        var pod = PodWith(new V1Toleration { Key = NodeTaintKeys.Unreachable, OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 300 });

        Assert.Equal(Build.Now.AddSeconds(300), TaintEviction.EvictionTime(pod, [Unreachable], Build.Now));
    }
}
