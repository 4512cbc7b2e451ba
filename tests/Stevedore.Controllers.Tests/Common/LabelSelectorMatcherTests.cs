using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Tests.Common;

public class LabelSelectorMatcherTests
{
    [Theory]
    [InlineData("In", "a,b", "a", true)]
    [InlineData("In", "a,b", "c", false)]
    [InlineData("In", "a,b", null, false)]
    [InlineData("NotIn", "a,b", "c", true)]
    [InlineData("NotIn", "a,b", "a", false)]
    [InlineData("NotIn", "a,b", null, true)]
    [InlineData("Exists", "", "x", true)]
    [InlineData("Exists", "", null, false)]
    [InlineData("DoesNotExist", "", null, true)]
    [InlineData("DoesNotExist", "", "x", false)]
    public void Matches_Expression_FollowsOperator(string op, string values, string? label, bool expected)
    {
        var selector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = op, Values = values.Length == 0 ? null : values.Split(',') }],
        };
        var labels = label is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["tier"] = label };

        Assert.Equal(expected, LabelSelectorMatcher.Matches(selector, labels));
    }

    [Fact]
    public void Matches_NullSelector_MatchesNothing() =>
        Assert.False(LabelSelectorMatcher.Matches(null, new Dictionary<string, string> { ["a"] = "b" }));

    [Fact]
    public void Matches_EmptySelector_MatchesEverything() =>
        Assert.True(LabelSelectorMatcher.Matches(new V1LabelSelector(), new Dictionary<string, string> { ["a"] = "b" }));
}
