using Stevedore.Cri.V1;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;

namespace Stevedore.Cri.NodeTests;

/// <summary>The CRI contract against Stevedore's own CRI server, plus what only Stevedore promises.</summary>
public sealed class StevedoreCriContractTests(StevedoreCriFixture fixture) : CriContractTests(fixture), IClassFixture<StevedoreCriFixture>
{
    [NodeFact]
    public async Task RunPodSandbox_ThenNewServerOverTheSameData_KnowsTheSandbox()
    {
        using var cri = new CriClient(fixture.SocketPath);
        var uid = Guid.NewGuid().ToString();
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "restart", Namespace = "ns1", Uid = uid, Attempt = 3 },
            Labels = { ["kept"] = "yes" },
        };
        var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config })).PodSandboxId;
        try
        {
            var socket = Path.Combine(fixture.ScratchDir, "second.sock");
            await using (var second = await CriServer.StartAsync(new ContainerEngine(fixture.Options!), socket, CancellationToken.None))
            {
                using var again = new CriClient(socket);
                var status = (await again.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId })).Status;

                Assert.Equal(PodSandboxState.SandboxReady, status.State);
                Assert.Equal(("restart", "ns1", uid, 3u), (status.Metadata.Name, status.Metadata.Namespace, status.Metadata.Uid, status.Metadata.Attempt));
                Assert.Equal("yes", status.Labels["kept"]);
            }

            Assert.False(File.Exists(socket));
        }
        finally
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }
    }
}
