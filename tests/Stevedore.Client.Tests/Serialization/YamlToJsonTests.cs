using Stevedore.Client.Serialization;
using YamlDotNet.Core;

namespace Stevedore.Client.Tests.Serialization;

public sealed class YamlToJsonTests
{
    [Theory]
    [InlineData("a: 1", """{"a":1}""")]
    [InlineData("a: -2.5", """{"a":-2.5}""")]
    [InlineData("a: true\nb: False", """{"a":true,"b":false}""")]
    [InlineData("a: ~\nb: null\nc:", """{"a":null,"b":null,"c":null}""")]
    [InlineData("a: '1'\nb: \"true\"\nc: 64Mi", """{"a":"1","b":"true","c":"64Mi"}""")]
    [InlineData("a: [1, x, {b: c}]", """{"a":[1,"x",{"b":"c"}]}""")]
    [InlineData("""{"json": {"is": ["yaml", 1.5]}}""", """{"json":{"is":["yaml",1.5]}}""")]
    public void Convert_TypesPlainScalarsAsTheCoreSchema_QuotedStayStrings(string yaml, string json)
    {
        Assert.Equal(json, YamlToJson.Convert(yaml)!.ToJsonString());
    }

    [Fact]
    public void Convert_Aliases_ExpandToCopiesOfTheAnchoredNode()
    {
        var node = YamlToJson.Convert("""
            base: &labels {app: web, tier: 1}
            copy: *labels
            list: [&n 5, *n]
            """)!;

        Assert.Equal("""{"base":{"app":"web","tier":1},"copy":{"app":"web","tier":1},"list":[5,5]}""", node.ToJsonString());
        node["copy"]!["app"] = "changed";
        Assert.Equal("web", (string?)node["base"]!["app"]);
    }

    [Fact]
    public void Convert_MergeKeys_ExplicitKeysWinThenEarlierMergedMappings()
    {
        var node = YamlToJson.Convert("""
            defaults: &defaults {image: busybox, imagePullPolicy: Never, name: base}
            extra: &extra {name: extra, tty: true}
            container:
              name: app
              <<: [*defaults, *extra]
            """)!;

        Assert.Equal("""{"name":"app","image":"busybox","imagePullPolicy":"Never","tty":true}""", node["container"]!.ToJsonString());
    }

    [Fact]
    public void Convert_QuotedMergeKey_IsAnOrdinaryKey()
    {
        var node = YamlToJson.Convert("'<<': {a: 1}")!.AsObject();

        Assert.Equal(1L, (long?)Assert.Single(node, p => p.Key == "<<").Value!["a"]);
    }

    [Theory]
    [InlineData("a: *nowhere", "refers to no anchor")]
    [InlineData("a: &x 1\n<<: *x", "merge key takes a mapping")]
    [InlineData("a: 1\n---\nb: 2", "single YAML document")]
    public void Convert_BadDocument_SaysWhy(string yaml, string expected)
    {
        var ex = Assert.Throws<YamlException>(() => YamlToJson.Convert(yaml));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_AliasesThatExpandExponentially_AreRefusedBeforeTheyAreBuilt()
    {
        // Nine levels of ten aliases each: 10^9 nodes if expanded.
        var lines = new List<string> { "l0: &l0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var level = 1; level <= 9; level++)
        {
            lines.Add($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 10))}]");
        }

        var ex = Assert.Throws<YamlException>(() => YamlToJson.Convert(string.Join('\n', lines)));

        Assert.Contains("expands to more than", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_EmptyDocument_IsNull()
    {
        Assert.Null(YamlToJson.Convert(""));
    }
}
