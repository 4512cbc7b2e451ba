using k8s;
using k8s.Models;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>Pod builders and lookups for the node tests.</summary>
internal static class Pods
{
    public static V1Pod Busybox(string ns, string name, string nodeName, string script, string restartPolicy = "Always") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1PodSpec
        {
            NodeName = nodeName,
            RestartPolicy = restartPolicy,
            TerminationGracePeriodSeconds = 5,
            Containers = [Container("main", script)],
        },
    };

    public static V1Container Container(string name, string script) => new()
    {
        Name = name,
        Image = TestImages.Busybox,
        ImagePullPolicy = "IfNotPresent",
        Command = ["sh", "-c", script],
    };

    public static async Task<V1Pod> CreateAsync(NodeFixture node, V1Pod pod) =>
        await node.Client.CoreV1.CreateNamespacedPodAsync(pod, pod.Metadata.NamespaceProperty);

    public static Task<V1Pod> ReadAsync(NodeFixture node, V1Pod pod) =>
        node.Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty);

    public static async Task<V1Pod> WaitAsync(NodeFixture node, V1Pod pod, Func<V1Pod, bool> condition, string what, int seconds = 90) =>
        await Eventually.GetAsync(() => ReadAsync(node, pod), condition, $"pod {pod.Metadata.Name}: {what}", seconds);

    public static bool IsRunningAndReady(V1Pod pod) =>
        pod.Status?.Phase == "Running" && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static V1ContainerStatus? Status(V1Pod pod, string container) =>
        pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.Name == container) ?? pod.Status?.InitContainerStatuses?.FirstOrDefault(s => s.Name == container);

    public static string? WaitingReason(V1Pod pod, string container) => Status(pod, container)?.State?.Waiting?.Reason;

    public static async Task<IList<Corev1Event>> EventsAsync(NodeFixture node, V1Pod pod) =>
        (await node.Client.CoreV1.ListNamespacedEventAsync(pod.Metadata.NamespaceProperty, fieldSelector: "involvedObject.name=" + pod.Metadata.Name)).Items;

    /// <summary>The CRI containers of a pod UID (all states).</summary>
    public static async Task<IReadOnlyList<Container>> RuntimeContainersAsync(NodeFixture node, string uid)
    {
        var filter = new ContainerFilter();
        filter.LabelSelector["io.kubernetes.pod.uid"] = uid;
        return [.. (await node.Cri.Runtime.ListContainersAsync(new ListContainersRequest { Filter = filter })).Containers];
    }

    /// <summary>The CRI sandboxes of a pod UID (all states).</summary>
    public static async Task<IReadOnlyList<PodSandbox>> RuntimeSandboxesAsync(NodeFixture node, string uid)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector["io.kubernetes.pod.uid"] = uid;
        return [.. (await node.Cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter })).Items];
    }

    public static async Task DeleteAsync(NodeFixture node, V1Pod pod, int? grace = null)
    {
        try
        {
            await node.Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, gracePeriodSeconds: grace);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>Waits until the API object is gone (the agent confirmed the deletion) and the runtime holds nothing of it.</summary>
    public static async Task WaitGoneAsync(NodeFixture node, V1Pod pod, string uid, int seconds = 90)
    {
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await ReadAsync(node, pod);
                return false;
            }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return true;
            }
        }, $"pod {pod.Metadata.Name} deleted", seconds);
        // A finished pod leaves the API at once (grace 0); the agent then removes what is left.
        await Eventually.TrueAsync(async () => (await RuntimeContainersAsync(node, uid)).Count == 0 && (await RuntimeSandboxesAsync(node, uid)).Count == 0,
            $"nothing of pod {pod.Metadata.Name} left in the runtime", seconds);
    }
}
