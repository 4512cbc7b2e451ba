using System.Text.Json.Nodes;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Server;

namespace Stevedore.Kubelet.NodeTests.Infrastructure;

/// <summary>A container of a test pod: busybox running <c>sh -c Script</c>.</summary>
public sealed record PodContainer(string Name, string Script, bool Stdin = false, bool StdinOnce = false, bool Tty = false);

/// <summary>
/// A pod as the kubelet would run it: the Pod object (bound to the node, phase Running) in the API,
/// and its sandbox and containers in the runtime with the kubelet's labels and log paths
/// (<c>PODLOGS/ns_name_uid/container/attempt.log</c>). Disposal removes the sandbox.
/// </summary>
public sealed class TestPod : IAsyncDisposable
{
    private readonly StreamingNode _node;
    private readonly PodSandboxConfig _sandboxConfig;

    private TestPod(StreamingNode node, string ns, string name, string uid, PodSandboxConfig sandboxConfig, string sandboxId)
    {
        _node = node;
        Namespace = ns;
        Name = name;
        Uid = uid;
        _sandboxConfig = sandboxConfig;
        SandboxId = sandboxId;
    }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public string SandboxId { get; }

    /// <summary>Runtime container IDs by container name (the latest attempt).</summary>
    public Dictionary<string, string> ContainerIds { get; } = [];

    public static async Task<TestPod> StartAsync(StreamingNode node, string ns, string name, params PodContainer[] containers)
    {
        var spec = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["image"] = "busybox",
            ["command"] = new JsonArray("sh", "-c", c.Script),
            ["stdin"] = c.Stdin,
            ["stdinOnce"] = c.StdinOnce,
            ["tty"] = c.Tty,
        })]);
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["nodeName"] = node.NodeName, ["containers"] = spec },
        };
        var created = await node.CreateAsync($"/api/v1/namespaces/{ns}/pods", pod.ToJsonString());
        var uid = created["metadata"]!["uid"]!.ToString();
        await node.PatchStatusAsync($"/api/v1/namespaces/{ns}/pods/{name}/status", """{"status":{"phase":"Running"}}""");

        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = ns, Uid = uid },
            Hostname = name,
            LogDirectory = Path.Combine(node.PodLogRoot, $"{ns}_{name}_{uid}"),
            Labels =
            {
                [ContainerLocator.PodNameLabel] = name,
                [ContainerLocator.PodNamespaceLabel] = ns,
                ["io.kubernetes.pod.uid"] = uid,
            },
        };
        var sandboxId = (await node.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
        var testPod = new TestPod(node, ns, name, uid, sandboxConfig, sandboxId);
        try
        {
            foreach (var container in containers)
            {
                await testPod.StartContainerAsync(container, 0);
            }
        }
        catch
        {
            await testPod.DisposeAsync();
            throw;
        }

        return testPod;
    }

    /// <summary>Creates and starts attempt <paramref name="attempt"/> of a container (as a restart would).</summary>
    public async Task<string> StartContainerAsync(PodContainer container, uint attempt)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = container.Name, Attempt = attempt },
            Image = new ImageSpec { Image = "busybox" },
            Command = { "sh", "-c", container.Script },
            LogPath = $"{container.Name}/{attempt}.log",
            Stdin = container.Stdin,
            StdinOnce = container.StdinOnce,
            Tty = container.Tty,
            Labels =
            {
                [ContainerLocator.PodNameLabel] = Name,
                [ContainerLocator.PodNamespaceLabel] = Namespace,
                [ContainerLocator.ContainerNameLabel] = container.Name,
                ["io.kubernetes.pod.uid"] = Uid,
            },
        };
        var id = (await _node.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = SandboxId, Config = config, SandboxConfig = _sandboxConfig })).ContainerId;
        await _node.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
        ContainerIds[container.Name] = id;
        return id;
    }

    /// <summary>Waits (60 s at most) until a container has exited.</summary>
    public async Task WaitExitedAsync(string containerName)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await _node.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = ContainerIds[containerName] })).Status.State != ContainerState.ContainerExited)
        {
            Assert.True(DateTime.UtcNow < deadline, $"container {containerName} did not exit");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits (60 s at most) until a container's log file holds <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string containerName, string text, uint attempt = 0)
    {
        var path = Path.Combine(_sandboxConfig.LogDirectory, containerName, $"{attempt}.log");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(path) || !(await File.ReadAllTextAsync(path)).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} never held \"{text}\"");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _node.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = SandboxId });
        await _node.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = SandboxId });
    }
}
