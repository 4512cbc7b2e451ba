using System.Text.Json.Nodes;
using Stevedore.ApiServer.Printing;

namespace Stevedore.ApiServer.Tests.Printing;

public class FormatsTests
{
    [Theory]
    [InlineData(null, "<none>")]
    [InlineData("{}", "<none>")]
    [InlineData("{'matchLabels':{'b':'2','a':'1'}}", "a=1,b=2")]
    [InlineData("{'matchExpressions':[{'key':'env','operator':'NotIn','values':['b','a','b']}]}", "env notin (a,b)")]
    [InlineData("{'matchExpressions':[{'key':'z','operator':'Exists'},{'key':'gone','operator':'DoesNotExist'}]}", "!gone,z")]
    [InlineData("{'matchExpressions':[{'key':'x','operator':'Bogus'}]}", "<error>")]
    [InlineData("{'matchExpressions':[{'key':'x','operator':'In','values':[]}]}", "<error>")]
    public void LabelSelector_Selector_SelectorSyntax(string? selector, string expected) =>
        Assert.Equal(expected, Formats.LabelSelector(selector is null ? null : JsonNode.Parse(selector.Replace('\'', '"'))!.AsObject()));

    [Theory]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("5Gi", "5Gi")]
    [InlineData("500m", "500m")]
    [InlineData("1000m", "1")]
    [InlineData("", "0")]
    public void Quantity_Text_Canonical(string raw, string expected) =>
        Assert.Equal(expected, Formats.Quantity(raw.Length == 0 ? null : JsonValue.Create(raw)));

    [Theory]
    [InlineData("[]", "")]
    [InlineData("['ReadWriteOncePod','ReadOnlyMany','ReadWriteOnce']", "RWO,ROX,RWOP")]
    public void AccessModes_Modes_FixedOrder(string modes, string expected) =>
        Assert.Equal(expected, Formats.AccessModes(JsonNode.Parse(modes.Replace('\'', '"'))!.AsArray()));

    [Fact]
    public void CreatedAt_Absent_GoZeroTime() => Assert.Equal("0001-01-01T00:00:00Z", Formats.CreatedAt(null));
}
