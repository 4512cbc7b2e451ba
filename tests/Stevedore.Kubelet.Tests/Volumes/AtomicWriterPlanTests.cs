using System.Text;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Tests.Volumes;

public sealed class AtomicWriterPlanTests
{
    private static FileProjection File(string text, int mode = 420) => new(Encoding.UTF8.GetBytes(text), mode);

    private static Dictionary<string, FileProjection> Payload(params (string Path, FileProjection File)[] files) =>
        files.ToDictionary(f => f.Path, f => f.File, StringComparer.Ordinal);

    [Fact]
    public void For_FirstWrite_WritesDataAndLinksEveryTopLevelName()
    {
        var plan = AtomicWriterPlan.For(Payload(("a", File("1")), ("dir/b", File("2")), ("dir/c", File("3"))), null, [], []);

        Assert.True(plan.WriteNewData);
        Assert.Equal(["a", "dir"], plan.VisibleNames);
        Assert.Empty(plan.StaleNames);
    }

    [Fact]
    public void For_SameContentAndModes_IsANoop()
    {
        var payload = Payload(("a", File("1")), ("dir/b", File("2")));
        var plan = AtomicWriterPlan.For(payload, Payload(("a", File("1")), ("dir/b", File("2"))), ["a", "dir"], []);

        Assert.True(plan.IsNoop);
    }

    [Theory]
    [InlineData("1", 420, "2", 420)]
    [InlineData("1", 420, "1", 256)]
    public void For_ChangedContentOrMode_WritesNewData(string oldText, int oldMode, string newText, int newMode)
    {
        var plan = AtomicWriterPlan.For(Payload(("a", File(newText, newMode))), Payload(("a", File(oldText, oldMode))), ["a"], []);

        Assert.True(plan.WriteNewData);
        Assert.Equal(["a"], plan.VisibleNames);
    }

    [Fact]
    public void For_KeyRemoved_RemovesItsVisibleName()
    {
        var plan = AtomicWriterPlan.For(Payload(("a", File("1"))), Payload(("a", File("1")), ("b", File("2"))), ["a", "b"], []);

        Assert.True(plan.WriteNewData);
        Assert.Equal(["b"], plan.StaleNames);
    }

    [Fact]
    public void For_UnchangedDataButALinkWasRemoved_OnlyRelinks()
    {
        var plan = AtomicWriterPlan.For(Payload(("a", File("1")), ("b", File("2"))), Payload(("a", File("1")), ("b", File("2"))), ["a"], ["b"]);

        Assert.False(plan.WriteNewData);
        Assert.Equal(["b"], plan.VisibleNames);
        Assert.False(plan.IsNoop);
    }

    [Fact]
    public void For_EmptyPayload_RemovesEverythingVisible()
    {
        var plan = AtomicWriterPlan.For(Payload(), Payload(("a", File("1"))), ["a"], []);

        Assert.True(plan.WriteNewData);
        Assert.Empty(plan.VisibleNames);
        Assert.Equal(["a"], plan.StaleNames);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/abs")]
    [InlineData("..data")]
    [InlineData("x/../../y")]
    public void For_UnsafePath_Throws(string path)
    {
        Assert.Throws<ArgumentException>(() => AtomicWriterPlan.For(Payload((path, File("x"))), null, [], []));
    }

    [Fact]
    public void For_PathBothFileAndDirectory_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => AtomicWriterPlan.For(Payload(("a", File("1")), ("a/b", File("2"))), null, [], []));
        Assert.Contains("a is both a file and a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void For_SamePathSpelledTwice_Throws()
    {
        Assert.Throws<ArgumentException>(() => AtomicWriterPlan.For(Payload(("a/b", File("1")), ("a//b", File("2"))), null, [], []));
    }
}
