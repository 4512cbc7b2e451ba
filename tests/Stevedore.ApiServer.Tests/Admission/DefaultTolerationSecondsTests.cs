using System.Text.Json.Nodes;
using Stevedore.ApiServer.Admission;

namespace Stevedore.ApiServer.Tests.Admission;

public class DefaultTolerationSecondsTests
{
    private static JsonObject Pod(string tolerations) =>
        JsonNode.Parse("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]""" + tolerations + "}}")!.AsObject();

    private static string Added(JsonObject pod, string key) =>
        pod["spec"]!["tolerations"]!.AsArray().Single(t => t!["key"]?.ToString() == key)!.ToJsonString();

    [Fact]
    public void Admit_PodWithoutTolerations_GetsNotReadyAndUnreachableFor300Seconds()
    {
        var pod = Pod("");

        Assert.True(DefaultTolerationSeconds.Admit(pod));

        Assert.Equal(2, pod["spec"]!["tolerations"]!.AsArray().Count);
        Assert.Equal("""{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}""", Added(pod, "node.kubernetes.io/not-ready"));
        Assert.Equal("""{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}""", Added(pod, "node.kubernetes.io/unreachable"));
        Assert.False(DefaultTolerationSeconds.Admit(pod));
    }

    [Theory]
    [InlineData("""[{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":10}]""", "node.kubernetes.io/not-ready")]
    [InlineData("""[{"key":"node.kubernetes.io/not-ready","operator":"Exists"}]""", "node.kubernetes.io/unreachable")]
    [InlineData("""[{"key":"dedicated","operator":"Equal","value":"x","effect":"NoSchedule"},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"}]""", "node.kubernetes.io/not-ready")]
    public void Admit_OneAlreadyTolerated_AddsOnlyTheOther(string existing, string expectedAdded)
    {
        var pod = Pod(",\"tolerations\":" + existing);
        var before = JsonNode.Parse(existing)!.AsArray();

        Assert.True(DefaultTolerationSeconds.Admit(pod));

        var tolerations = pod["spec"]!["tolerations"]!.AsArray();
        Assert.Equal(before.Count + 1, tolerations.Count);
        Assert.True(JsonNode.DeepEquals(before, new JsonArray([.. tolerations.Take(before.Count).Select(t => t!.DeepClone())])));
        Assert.Equal(expectedAdded, tolerations[^1]!["key"]!.ToString());
    }

    [Theory]
    [InlineData("""[{"operator":"Exists"}]""")]
    [InlineData("""[{"operator":"Exists","effect":"NoExecute"}]""")]
    public void Admit_TolerateEverything_Unchanged(string existing)
    {
        var pod = Pod(",\"tolerations\":" + existing);

        Assert.False(DefaultTolerationSeconds.Admit(pod));

        Assert.Single(pod["spec"]!["tolerations"]!.AsArray());
    }

    [Fact]
    public void Admit_OnlyNoScheduleTolerationForTheKeys_StillAddsNoExecuteOnes()
    {
        var pod = Pod(""","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoSchedule"},""" +
            """{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoSchedule"}]""");

        Assert.True(DefaultTolerationSeconds.Admit(pod));

        Assert.Equal(4, pod["spec"]!["tolerations"]!.AsArray().Count);
    }
}
