using k8s.Models;
using Stevedore.Controllers.EndpointSlice;

namespace Stevedore.Controllers.Tests.EndpointSlice;

public sealed class EndpointSliceTrackerTests
{
    private static V1EndpointSlice Slice(string name, string rv) => new() { Metadata = new V1ObjectMeta { Name = name, ResourceVersion = rv } };

    [Fact]
    public void CacheShowsOwnWrites_UntilTheCacheHasTheWrittenVersion()
    {
        var tracker = new EndpointSliceTracker();
        Assert.True(tracker.CacheShowsOwnWrites("default/web", []));
        tracker.Written("default/web", Slice("web-abc", "20"));
        Assert.False(tracker.CacheShowsOwnWrites("default/web", []));
        Assert.False(tracker.CacheShowsOwnWrites("default/web", [Slice("web-abc", "19")]));
        Assert.True(tracker.CacheShowsOwnWrites("default/web", [Slice("web-abc", "20")]));
        Assert.True(tracker.CacheShowsOwnWrites("default/web", []));
    }

    [Fact]
    public void CacheShowsOwnWrites_DeletedSliceMustBeGone()
    {
        var tracker = new EndpointSliceTracker();
        tracker.Deleted("default/web", "web-abc");
        Assert.False(tracker.CacheShowsOwnWrites("default/web", [Slice("web-abc", "5")]));
        Assert.True(tracker.CacheShowsOwnWrites("default/web", []));
    }

    [Fact]
    public void SliceDeleted_SettlesAWriteThatWillNeverShow()
    {
        var tracker = new EndpointSliceTracker();
        tracker.Written("default/web", Slice("web-abc", "20"));
        tracker.SliceDeleted("default/web", "web-abc");
        Assert.True(tracker.CacheShowsOwnWrites("default/web", []));
    }
}
