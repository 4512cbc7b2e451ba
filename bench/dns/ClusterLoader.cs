using k8s;
using k8s.Models;

namespace DnsBench;

/// <summary>The Services the DNS serves, written through the API like any client would.</summary>
public static class ClusterLoader
{
    public const string Namespace = "dns-bench";

    /// <summary>Service <c>svc-N</c> (every <see cref="BenchSettings.HeadlessEvery"/>th headless) with one EndpointSlice of ready endpoints.</summary>
    public static async Task LoadAsync(IKubernetes client, BenchSettings settings, CancellationToken cancellationToken)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: cancellationToken);
        using var slots = new SemaphoreSlim(16);
        var tasks = Enumerable.Range(0, settings.Services).Select(async i =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                await CreateAsync(client, settings, i, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        });
        await Task.WhenAll(tasks);
    }

    public static bool IsHeadless(BenchSettings settings, int i) => i % settings.HeadlessEvery == 0;

    public static string EndpointAddress(int service, int endpoint) => $"10.42.{service / 25}.{((service % 25) * 10) + endpoint + 1}";

    private static async Task CreateAsync(IKubernetes client, BenchSettings settings, int i, CancellationToken cancellationToken)
    {
        var name = $"svc-{i}";
        var headless = IsHeadless(settings, i);
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec
            {
                ClusterIP = headless ? "None" : null,
                Ports = [new V1ServicePort { Name = "http", Port = 80, Protocol = "TCP" }, new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP" }],
            },
        }, Namespace, cancellationToken: cancellationToken);
        await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta { Name = name + "-1", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = name } },
            AddressType = "IPv4",
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
            Endpoints = [.. Enumerable.Range(0, settings.EndpointsPerService).Select(e => new V1Endpoint
            {
                Addresses = [EndpointAddress(i, e)],
                Hostname = headless ? $"web-{e}" : null,
                Conditions = new V1EndpointConditions { Ready = true },
            })],
        }, Namespace, cancellationToken: cancellationToken);
    }
}
