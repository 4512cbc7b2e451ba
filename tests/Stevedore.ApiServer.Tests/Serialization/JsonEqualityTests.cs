using System.Text.Json.Nodes;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Tests.Serialization;

public class JsonEqualityTests
{
    public static TheoryData<string, string, bool, bool> Cases => new()
    {
        // left, right, same serialization, deep-equal
        { """{"a":1,"b":{"c":[1,2,{"d":"x"}]}}""", """{"a":1,"b":{"c":[1,2,{"d":"x"}]}}""", true, true },
        { """{"a":1,"b":2}""", """{"b":2,"a":1}""", false, true },
        { """{"a":1}""", """{"a":2}""", false, false },
        { """{"a":[1,2]}""", """{"a":[2,1]}""", false, false },
        { """{"a":"<&>"}""", """{"a":"\u003c\u0026\u003e"}""", true, true },
        { """[{"f:metadata":{"f:labels":{}}}]""", """[{"f:metadata":{"f:labels":{}}}]""", true, true },
        { """{"a":null}""", """{}""", false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameSerializationAndDeepEquals_ParsedNodes_AgreeWithJsonNodeDeepEquals(string left, string right, bool sameBytes, bool equal)
    {
        var a = JsonNode.Parse(left);
        var b = JsonNode.Parse(right);

        Assert.Equal(sameBytes, Json.SameSerialization(a, b));
        Assert.Equal(equal, Json.DeepEquals(a, b));
        Assert.Equal(JsonNode.DeepEquals(a, b), Json.DeepEquals(a, b));
    }

    [Fact]
    public void SameSerialization_BuiltAndParsedAndCloned_Equal()
    {
        var built = new JsonObject { ["name"] = "web", ["ports"] = new JsonArray(80, 443), ["meta"] = new JsonObject { ["x"] = true } };
        var parsed = JsonNode.Parse("""{"name":"web","ports":[80,443],"meta":{"x":true}}""");

        Assert.True(Json.SameSerialization(built, parsed));
        Assert.True(Json.SameSerialization(parsed, parsed!.DeepClone()));
        Assert.False(Json.SameSerialization(built, null));
        Assert.True(Json.SameSerialization(null, null));
    }
}
