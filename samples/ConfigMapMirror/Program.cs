using k8s.Models;
using Stevedore.Client.Cache;
using Stevedore.Client.Connecting;
using Stevedore.Client.Controllers;
using Stevedore.Client.Informers;
using Stevedore.Client.LeaderElection;
using Stevedore.Client.Resources;
using Stevedore.Client.WorkQueues;

// ConfigMapMirror: copies every ConfigMap labelled mirror=true from the source namespace into the
// target namespace, and deletes copies whose source is gone. Usage:
//   dotnet run --project samples/ConfigMapMirror -- <kubeconfig> <source-namespace> <target-namespace>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ConfigMapMirror <kubeconfig> <source-namespace> <target-namespace>");
    return 2;
}

var (kubeconfig, source, target) = (args[0], args[1], args[2]);
using var client = ClusterConnection.FromKubeconfig(kubeconfig);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// Two replicas of this program may run: only the leader acts.
var elector = new LeaderElector(client, new LeaderElectionConfig
{
    LeaseNamespace = target,
    LeaseName = "configmap-mirror",
    Identity = Environment.MachineName + "-" + Guid.NewGuid().ToString("N")[..6],
})
{
    OnStartedLeading = ct => new MirrorController(client, source, target).RunAsync(ct),
};
await elector.RunAsync(stop.Token);
return 0;

/// <summary>The controller: informers enqueue keys, workers reconcile one key at a time.</summary>
internal sealed class MirrorController(k8s.IKubernetes client, string source, string target)
{
    private readonly ResourceClient<V1ConfigMap> _configMaps = new(client);
    private readonly RateLimitingQueue<string> _queue = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var factory = new SharedInformerFactory(client, new SharedInformerFactoryOptions { LabelSelector = "mirror=true" });
        var informer = factory.GetInformer<V1ConfigMap>();

        // Handlers only enqueue the name; a copy's change also re-checks its source.
        informer.AddEventHandler(onAdd: Enqueue, onUpdate: (_, cm) => Enqueue(cm), onDelete: Enqueue);
        factory.Start(cancellationToken);
        if (!await factory.WaitForCacheSyncAsync(cancellationToken))
        {
            return;
        }

        await WorkerLoop.RunAsync(_queue, (name, ct) => SyncAsync(informer.Lister, name, ct), workers: 2, logger: null, cancellationToken);
    }

    private void Enqueue(V1ConfigMap cm)
    {
        if (cm.Metadata.NamespaceProperty == source || cm.Metadata.NamespaceProperty == target)
        {
            _queue.Add(cm.Metadata.Name);
        }
    }

    /// <summary>Level-based: compare the source with the copy and write the difference.</summary>
    private async Task SyncAsync(Lister<V1ConfigMap> lister, string name, CancellationToken cancellationToken)
    {
        var original = lister.Get(source, name);
        var copy = lister.Get(target, name);
        if (original is null)
        {
            if (copy is not null)
            {
                await _configMaps.DeleteAsync(target, name, cancellationToken: cancellationToken);
            }

            return;
        }

        var desired = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = target,
                Labels = new Dictionary<string, string> { ["mirror"] = "true" },
                ResourceVersion = copy?.Metadata.ResourceVersion,
            },
            Data = original.Data,
        };
        if (copy is null)
        {
            await _configMaps.CreateAsync(desired, cancellationToken);
        }
        else if (!SameData(copy.Data, original.Data))
        {
            // Carries the copy's resourceVersion: a concurrent change fails with 409 and is retried.
            await _configMaps.ReplaceAsync(desired, cancellationToken);
        }
    }

    private static bool SameData(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));
}
