using Stevedore.Scheduler.Plugins.ImageLocality;
using Stevedore.Scheduler.Tests.Fixtures;

namespace Stevedore.Scheduler.Tests.Plugins;

public class ImageLocalityPluginTests
{
    private const long Mb = 1024 * 1024;

    [Theory]
    [InlineData("nginx:1.25", "nginx:1.25", 1, 14)]
    [InlineData("nginx:1.25", "nginx:1.25", 3, 48)]
    [InlineData("nginx", "nginx:latest", 1, 14)]
    [InlineData("nginx:1.24", "nginx:1.25", 1, 0)]
    public void Score_ImagePresent_SizeTimesSpread(string podImage, string nodeImage, int nodesWithImage, long expected)
    {
        var nodes = Enumerable.Range(1, 3).Select(i =>
        {
            var n = Make.Node($"n{i}");
            if (i <= nodesWithImage)
            {
                n.Image(500 * Mb, nodeImage);
            }

            return n.Build();
        });

        var scores = Make.RunScore(new ImageLocalityPlugin(), Make.Pod("p").Image(podImage), Make.Snapshot(nodes));

        Assert.Equal(expected, scores["n1"]);
        Assert.Equal(nodesWithImage == 3 ? expected : 0, scores["n3"]);
    }

    [Fact]
    public void Score_SmallImage_BelowThresholdScoresZero()
    {
        var scores = Make.RunScore(new ImageLocalityPlugin(), Make.Pod("p").Image("tiny:1"), Make.Snapshot([Make.Node("n1").Image(5 * Mb, "tiny:1")]));

        Assert.Equal(0, scores["n1"]);
    }
}
