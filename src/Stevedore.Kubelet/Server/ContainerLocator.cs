using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Server;

/// <summary>
/// Finds a pod's sandbox and containers through CRI by the labels the kubelet puts on them
/// (upstream's keys, so sandboxes made by any kubelet are found).
/// </summary>
public sealed class ContainerLocator(RuntimeService.RuntimeServiceClient runtime)
{
    /// <summary>The namespace of the pod a sandbox or container belongs to.</summary>
    public const string PodNamespaceLabel = "io.kubernetes.pod.namespace";

    /// <summary>The name of the pod a sandbox or container belongs to.</summary>
    public const string PodNameLabel = "io.kubernetes.pod.name";

    /// <summary>The container's name in the pod spec.</summary>
    public const string ContainerNameLabel = "io.kubernetes.container.name";

    /// <summary>Every instance of the named container of a pod, newest (highest attempt) first.</summary>
    public async Task<IReadOnlyList<Container>> InstancesAsync(string podNamespace, string podName, string containerName, CancellationToken cancellationToken)
    {
        var response = await runtime.ListContainersAsync(new ListContainersRequest
        {
            Filter = new ContainerFilter
            {
                LabelSelector = { [PodNamespaceLabel] = podNamespace, [PodNameLabel] = podName, [ContainerNameLabel] = containerName },
            },
        }, cancellationToken: cancellationToken);
        return [.. response.Containers.OrderByDescending(c => c.Metadata?.Attempt ?? 0).ThenByDescending(c => c.CreatedAt)];
    }

    /// <summary>The pod's sandbox, a ready one before others, newest first; null when the pod has none here.</summary>
    public async Task<PodSandbox?> SandboxAsync(string podNamespace, string podName, CancellationToken cancellationToken)
    {
        var response = await runtime.ListPodSandboxAsync(new ListPodSandboxRequest
        {
            Filter = new PodSandboxFilter { LabelSelector = { [PodNamespaceLabel] = podNamespace, [PodNameLabel] = podName } },
        }, cancellationToken: cancellationToken);
        return response.Items
            .OrderByDescending(s => s.State == PodSandboxState.SandboxReady)
            .ThenByDescending(s => s.CreatedAt)
            .FirstOrDefault();
    }

    /// <summary>The current state of a container; null when it is gone.</summary>
    public async Task<ContainerStatus?> StatusAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return (await runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = containerId }, cancellationToken: cancellationToken)).Status;
        }
        catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
    }
}
