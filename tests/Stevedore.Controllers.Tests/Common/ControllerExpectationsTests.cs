using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Tests.Common;

public class ControllerExpectationsTests
{
    [Fact]
    public void Satisfied_UnknownKey_True() =>
        Assert.True(new ControllerExpectations().Satisfied("ns/rs", Build.Now));

    [Fact]
    public void Satisfied_CreationsPending_FalseUntilAllObserved()
    {
        var expectations = new ControllerExpectations();
        expectations.ExpectCreations("ns/rs", 2, Build.Now);

        Assert.False(expectations.Satisfied("ns/rs", Build.Now));
        expectations.CreationObserved("ns/rs");
        Assert.False(expectations.Satisfied("ns/rs", Build.Now));
        expectations.CreationObserved("ns/rs");
        Assert.True(expectations.Satisfied("ns/rs", Build.Now));
    }

    [Fact]
    public void DeletionObserved_SameKeyTwice_CountsOnce()
    {
        var expectations = new ControllerExpectations();
        expectations.ExpectDeletions("ns/rs", ["ns/a", "ns/b"], Build.Now);

        expectations.DeletionObserved("ns/rs", "ns/a");
        expectations.DeletionObserved("ns/rs", "ns/a");
        expectations.DeletionObserved("ns/rs", "ns/unrelated");

        Assert.Equal((0, 1), expectations.Pending("ns/rs"));
        Assert.False(expectations.Satisfied("ns/rs", Build.Now));
    }

    [Theory]
    [InlineData(299, false)]
    [InlineData(301, true)]
    public void Satisfied_PendingAfterTimeout_Expires(int secondsLater, bool expected)
    {
        var expectations = new ControllerExpectations();
        expectations.ExpectCreations("ns/rs", 1, Build.Now);

        Assert.Equal(expected, expectations.Satisfied("ns/rs", Build.Now.AddSeconds(secondsLater)));
    }
}
