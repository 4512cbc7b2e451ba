using k8s.Models;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;

namespace Stevedore.Client.Tests.Integration;

public sealed class ReflectorTests
{
    /// <summary>Passes calls to the real server, counting lists; the first list claims a too-old resourceVersion.</summary>
    private sealed class StaleFirstListListerWatcher(IListerWatcher<V1ConfigMap> inner) : IListerWatcher<V1ConfigMap>
    {
        private int _lists;
        private int _expired;

        public int Lists => Volatile.Read(ref _lists);

        public int ExpiredErrors => Volatile.Read(ref _expired);

        public async Task<ResourceList<V1ConfigMap>> ListAsync(ListOptions options, CancellationToken cancellationToken)
        {
            var list = await inner.ListAsync(options, cancellationToken);
            return Interlocked.Increment(ref _lists) == 1 ? list with { ResourceVersion = "1" } : list;
        }

        public async IAsyncEnumerable<WatchEvent<V1ConfigMap>> WatchAsync(ListOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var e in inner.WatchAsync(options, cancellationToken))
            {
                if (e.IsExpired)
                {
                    Interlocked.Increment(ref _expired);
                }

                yield return e;
            }
        }
    }

    [Fact]
    public async Task Reflector_WatchAnswered410_RelistsAndKeepsWatching()
    {
        var server = new ServerFixture();
        await server.InitializeAsync();
        try
        {
            var ns = await server.CreateNamespaceAsync();
            var configMaps = new ResourceClient<V1ConfigMap>(server.Client);
            await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before", NamespaceProperty = ns } });

            // A fresh server over the same store keeps no history before its start: resuming from "1" is 410 Gone.
            await server.RestartAsync();
            configMaps = new ResourceClient<V1ConfigMap>(server.Client);
            var listerWatcher = new StaleFirstListListerWatcher(new ResourceListerWatcher<V1ConfigMap>(configMaps, ns));
            var informer = new SharedInformer<V1ConfigMap>(listerWatcher, new SharedInformerOptions());
            using var stop = new CancellationTokenSource();
            var running = informer.RunAsync(stop.Token);

            await Eventually.TrueAsync(() => listerWatcher.Lists >= 2, "a relist after 410");
            Assert.True(listerWatcher.ExpiredErrors >= 1);
            await configMaps.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after", NamespaceProperty = ns } });
            await Eventually.TrueAsync(() => informer.Lister.Get(ns, "after") is not null, "the object created after the relist");
            Assert.NotNull(informer.Lister.Get(ns, "before"));
            Assert.True(informer.HasSynced);

            await stop.CancelAsync();
            await running;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
