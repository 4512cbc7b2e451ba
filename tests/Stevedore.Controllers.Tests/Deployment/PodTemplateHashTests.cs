using System.Text;
using k8s.Models;
using Stevedore.Controllers.Deployment;

namespace Stevedore.Controllers.Tests.Deployment;

public class PodTemplateHashTests
{
    [Theory]
    [InlineData("", 2166136261u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void Fnv32a_KnownVectors_Match(string input, uint expected) =>
        Assert.Equal(expected, Fnv32a.Add(Fnv32a.Offset, Encoding.ASCII.GetBytes(input)));

    [Theory]
    [InlineData("0123456789", "456789bcdf")]
    [InlineData("", "")]
    public void SafeEncode_Digits_MapThroughAlphabet(string input, string expected) =>
        Assert.Equal(expected, PodTemplateHash.SafeEncode(input));

    [Fact]
    public void Compute_SameTemplate_StableAndSafeCharacters()
    {
        var first = PodTemplateHash.Compute(Build.PodTemplate("nginx:1"), null);
        var second = PodTemplateHash.Compute(Build.PodTemplate("nginx:1"), null);

        Assert.Equal(first, second);
        Assert.InRange(first.Length, 1, 10);
        Assert.All(first, c => Assert.Contains(c, PodTemplateHash.SafeAlphabet));
    }

    [Fact]
    public void Compute_DifferentImageOrCollisionCount_DifferentHash()
    {
        var baseline = PodTemplateHash.Compute(Build.PodTemplate("nginx:1"), null);

        Assert.NotEqual(baseline, PodTemplateHash.Compute(Build.PodTemplate("nginx:2"), null));
        Assert.NotEqual(baseline, PodTemplateHash.Compute(Build.PodTemplate("nginx:1"), 1));
        Assert.NotEqual(PodTemplateHash.Compute(Build.PodTemplate("nginx:1"), 1), PodTemplateHash.Compute(Build.PodTemplate("nginx:1"), 2));
    }

    [Fact]
    public void Compute_LabelOrder_DoesNotMatter()
    {
        var a = Build.PodTemplate("x");
        a.Metadata.Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };
        var b = Build.PodTemplate("x");
        b.Metadata.Labels = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };

        Assert.Equal(PodTemplateHash.Compute(a, null), PodTemplateHash.Compute(b, null));
    }

    [Fact]
    public void EqualIgnoreHash_OnlyHashLabelDiffers_Equal()
    {
        var withHash = Build.PodTemplate("x");
        withHash.Metadata.Labels["pod-template-hash"] = "abc";

        Assert.True(PodTemplateHash.EqualIgnoreHash(withHash, Build.PodTemplate("x")));
        Assert.False(PodTemplateHash.EqualIgnoreHash(withHash, Build.PodTemplate("y")));
    }

    [Fact]
    public void EqualIgnoreHash_NullVersusEmptyCollections_Equal()
    {
        var a = Build.PodTemplate("x");
        a.Metadata.Annotations = new Dictionary<string, string>();
        a.Spec.Volumes = new List<V1Volume>();

        Assert.True(PodTemplateHash.EqualIgnoreHash(a, Build.PodTemplate("x")));
    }
}
