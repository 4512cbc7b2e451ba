using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// Issue 5's "the same pod suite passes with containerd as the runtime": every test of <see cref="PodScenarios"/>
/// against <c>stevedore server</c> whose agent talks CRI to Debian's containerd (<c>--container-runtime-endpoint</c>,
/// <see cref="ContainerdRuntime"/>) — containerd makes the sandboxes and containers and runs the CNI plugins with the
/// conflist the agent writes; the kubelet, probes, logs and exec streaming are the same code as with the built-in engine.
/// </summary>
[Collection(ContainerdPodCollection.Name)]
public sealed class ContainerdPodScenarios(ContainerdAgentFixture cluster) : PodScenarios(cluster.Server)
{
    [Fact]
    public async Task Node_ReportsContainerd_AndPodContainersAreContainerdContainers()
    {
        var k = Kubectl();
        Assert.StartsWith("containerd://1.", await k.OkAsync("get", "node", Server.NodeName, "-o", "jsonpath={.status.nodeInfo.containerRuntimeVersion}"));
        var ns = await NamespaceAsync();
        await k.OkWithInputAsync($$$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: probe-me
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: {{{Image}}}
                imagePullPolicy: IfNotPresent
                command: ["sleep", "3600"]
            """, "apply", "-n", ns, "-f", "-");
        await WaitReadyAsync(k, ns, "probe-me");
        // containerd names its containers with 64 hex digits.
        Assert.Matches("^containerd://[0-9a-f]{64}$", await k.OkAsync("get", "pod", "probe-me", "-n", ns, "-o", "jsonpath={.status.containerStatuses[0].containerID}"));
    }
}

/// <summary>One agent-enabled server on containerd for the collection; it holds the machine's agent resources (<see cref="AgentMachine"/>).</summary>
public sealed class ContainerdAgentFixture : IAsyncLifetime
{
    public AgentServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AgentServer.StartAsync(containerd: true);

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ContainerdPodCollection : ICollectionFixture<ContainerdAgentFixture>
{
    public const string Name = "containerd-pods";
}
