using k8s.Models;
using Stevedore.Client.Selectors;

namespace Stevedore.Client.Tests.Selectors;

public sealed class LabelSelectorTests
{
    [Theory]
    [InlineData("", "app=web", true)]
    [InlineData("app=web", "app=web,tier=fe", true)]
    [InlineData("app==web", "app=web", true)]
    [InlineData("app=web", "app=db", false)]
    [InlineData("app!=web", "app=db", true)]
    [InlineData("app!=web", "", true)]
    [InlineData("app!=web", "app=web", false)]
    [InlineData("env in (prod, staging)", "env=staging", true)]
    [InlineData("env in (prod,staging)", "env=dev", false)]
    [InlineData("env notin (prod)", "env=dev", true)]
    [InlineData("env notin (prod)", "env=prod", false)]
    [InlineData("legacy", "legacy=yes", true)]
    [InlineData("legacy", "app=web", false)]
    [InlineData("!legacy", "app=web", true)]
    [InlineData("!legacy", "legacy=", false)]
    [InlineData("app=web,env in (a,b),!legacy", "app=web,env=b", true)]
    [InlineData("app=web,env in (a,b),!legacy", "app=web,env=b,legacy=1", false)]
    public void Parse_Selector_MatchesAsUpstream(string selector, string labels, bool expected)
    {
        var set = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(set));
    }

    [Theory]
    [InlineData("app=web,")]
    [InlineData("env in (a")]
    [InlineData("env within (a)")]
    [InlineData("a b=c")]
    public void Parse_Invalid_Throws(string selector) => Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));

    [Fact]
    public void FromV1_NullMatchesNothing_EmptyMatchesEverything()
    {
        var labels = new Dictionary<string, string> { ["a"] = "b" };
        Assert.False(LabelSelector.FromV1(null).Matches(labels));
        Assert.True(LabelSelector.FromV1(new V1LabelSelector()).Matches(labels));
    }

    [Fact]
    public void FromV1_LabelsAndExpressions_AreAnded()
    {
        var selector = LabelSelector.FromV1(new V1LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["fe", "be"] }, new V1LabelSelectorRequirement { Key = "old", OperatorProperty = "DoesNotExist" }],
        });
        Assert.True(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "fe" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "db" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["app"] = "web", ["tier"] = "fe", ["old"] = "1" }));
        Assert.Equal("app=web,tier in (fe,be),!old", selector.ToString());
    }
}
