using System.Text;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Tests.Serialization;

public class JsonTests
{
    [Fact]
    public void Serialize_CallsOneAfterAnother_EachResultIsItsOwnCompleteCopy()
    {
        var big = new JsonObject { ["data"] = new string('x', 2 * 1024 * 1024) };
        var small = JsonNode.Parse("""{"kind":"Pod","metadata":{"name":"p","labels":{"a":"<b>"}}}""")!;

        var first = Json.Serialize(small);
        var large = Json.Serialize(big);
        var second = Json.Serialize(small);

        Assert.Equal("""{"kind":"Pod","metadata":{"name":"p","labels":{"a":"<b>"}}}""", Encoding.UTF8.GetString(first));
        Assert.Equal(first, second);
        Assert.NotSame(first, second);
        Assert.Equal(2 * 1024 * 1024 + """{"data":""}""".Length, large.Length);
    }

    [Fact]
    public async Task Serialize_ManyThreadsAtOnce_NoneSeesAnothersBytes()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            Enumerable.Range(0, 200).Select(j => Encoding.UTF8.GetString(Json.Serialize(new JsonObject { ["i"] = i, ["j"] = j }))).ToList())));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(Enumerable.Range(0, 200).Select(j => $$"""{"i":{{i}},"j":{{j}}}"""), results[i]);
        }
    }
}
