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
    [Fact]
    public async Task Event_PastTheSpamBurstForOneObject_DropsTheRest()
    {
        var ns = await server.CreateNamespaceAsync();
        var configMaps = new ResourceClient<V1ConfigMap>(server.Client);
        var noisy = await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "noisy", NamespaceProperty = ns } });
        var quiet = await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "quiet", NamespaceProperty = ns } });
        var recorder = new EventRecorder(server.Client, "test-controller", spamFilter: new EventSpamFilter(burst: 2));

        for (var i = 0; i < 5; i++)
        {
            recorder.Event(noisy, EventTypes.Normal, "Created", $"created thing {i}");
        }

        recorder.Event(quiet, EventTypes.Normal, "Created", "created one thing");

        // Fire and forget: wait until the allowed ones landed, then make sure nothing else follows.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        IList<Corev1Event> events = [];
        while (DateTime.UtcNow < deadline && events.Count < 3)
        {
            events = (await server.Client.CoreV1.ListNamespacedEventAsync(ns)).Items;
            await Task.Delay(50);
        }

        await Task.Delay(500);
        events = (await server.Client.CoreV1.ListNamespacedEventAsync(ns)).Items;
        Assert.Equal(["created thing 0", "created thing 1"], events.Where(e => e.InvolvedObject.Name == "noisy").Select(e => e.Message).Order());
        Assert.Single(events, e => e.InvolvedObject.Name == "quiet");
    }
}
