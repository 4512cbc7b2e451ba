using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class VariableExpansionTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["VAR_A"] = "A",
        ["VAR_B"] = "B",
        ["VAR_C"] = "C",
        ["VAR_REF"] = "$(VAR_A)",
        ["VAR_EMPTY"] = "",
        ["URL"] = "http://host",
    };

    [Theory]
    [InlineData("", "")]
    [InlineData("plain", "plain")]
    [InlineData("$(VAR_A)", "A")]
    [InlineData("___$(VAR_B)___", "___B___")]
    [InlineData("$(VAR_A)-$(VAR_B)-$(VAR_C)", "A-B-C")]
    [InlineData("$(VAR_EMPTY)", "")]
    [InlineData("$(VAR_REF)", "$(VAR_A)")]
    [InlineData("$(UNKNOWN)", "$(UNKNOWN)")]
    [InlineData("x$(UNKNOWN)y$(VAR_A)", "x$(UNKNOWN)yA")]
    [InlineData("$$(VAR_A)", "$(VAR_A)")]
    [InlineData("$$$(VAR_A)", "$A")]
    [InlineData("$$$$(VAR_A)", "$$(VAR_A)")]
    [InlineData("$$", "$")]
    [InlineData("$$$", "$$")]
    [InlineData("$", "$")]
    [InlineData("x$", "x$")]
    [InlineData("$VAR_A", "$VAR_A")]
    [InlineData("$(VAR_A", "$(VAR_A")]
    [InlineData("$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)")]
    [InlineData("$(VAR_A)$(", "A$(")]
    [InlineData("$()", "$()")]
    [InlineData("$(URL)/path", "http://host/path")]
    [InlineData("((($(VAR_A))))", "(((A)))")]
    public void Expand_UpstreamCases(string input, string expected)
    {
        Assert.Equal(expected, VariableExpansion.Expand(input, Variables));
    }

    [Fact]
    public void Expand_LooksUpEachReferenceOnce_AndNeverExpandsAValueAgain()
    {
        var seen = new List<string>();
        var result = VariableExpansion.Expand("$(A)$(A)", name =>
        {
            seen.Add(name);
            return "$(B)";
        });

        Assert.Equal("$(B)$(B)", result);
        Assert.Equal(["A", "A"], seen);
    }
}
