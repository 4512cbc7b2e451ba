using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Tests.Patch;

/// <summary>Test helpers: JSON written with single quotes for readability.</summary>
internal static class Json
{
    public static JsonNode? Parse(string singleQuoted) => JsonNode.Parse(singleQuoted.Replace('\'', '"'));

    public static JsonObject Object(string singleQuoted) => (JsonObject)Parse(singleQuoted)!;

    public static void Equal(string expectedSingleQuoted, JsonNode? actual)
    {
        var expected = Parse(expectedSingleQuoted);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected?.ToJsonString() ?? "null"}\n  actual {actual?.ToJsonString() ?? "null"}");
    }
}
