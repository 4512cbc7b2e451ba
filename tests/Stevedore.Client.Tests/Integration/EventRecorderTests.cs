using k8s;
using k8s.Models;
using Stevedore.Client.Events;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Tests.Integration;

[Collection(ServerCollection.Name)]
public sealed class EventRecorderTests(ServerFixture server)
{
    [Fact]
    public async Task Record_SameEventThreeTimes_OneEventWithCountThree()
    {
        var ns = await server.CreateNamespaceAsync();
        var pod = await new ResourceClient<V1ConfigMap>(server.Client).CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "subject", NamespaceProperty = ns } });
        var recorder = new EventRecorder(server.Client, "test-controller", "host-1");

        var first = await recorder.RecordAsync(pod, EventTypes.Warning, "Failed", "it broke");
        await recorder.RecordAsync(pod, EventTypes.Warning, "Failed", "it broke");
        var third = await recorder.RecordAsync(pod, EventTypes.Warning, "Failed", "it broke");
        await recorder.RecordAsync(pod, EventTypes.Normal, "Fixed", "it works");

        Assert.Equal(first.Metadata.Name, third.Metadata.Name);
        var events = (await server.Client.CoreV1.ListNamespacedEventAsync(ns)).Items;
        Assert.Equal(2, events.Count);
        var failed = Assert.Single(events, e => e.Reason == "Failed");
        Assert.Equal(3, failed.Count);
        Assert.Equal("subject", failed.InvolvedObject.Name);
        Assert.Equal("ConfigMap", failed.InvolvedObject.Kind);
        Assert.Equal(pod.Metadata.Uid, failed.InvolvedObject.Uid);
        Assert.Equal("test-controller", failed.Source.Component);
        Assert.Equal(1, Assert.Single(events, e => e.Reason == "Fixed").Count);
    }
}
