using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// <c>stevedore agent --cleanup</c> removes the pod network the agent was started with: its own bridge and
/// conflist folder (<c>--cni-bridge</c>, <c>--cni-conf-dir</c>), not the defaults, which may be another node
/// agent's on the same machine. Holds the machine's agent resources while it runs (<see cref="AgentMachine"/>),
/// since cleanup also removes the node-wide service proxy table and DNS link.
/// </summary>
public sealed class AgentCleanupScenarios
{
    [Fact]
    public async Task Cleanup_RemovesTheBridgeAndConflistNamedByItsFlags_AndLeavesOthersAlone()
    {
        using var machine = await AgentMachine.AcquireAsync();
        var root = AgentMachine.NewRoot();
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var bridge = "stvcln" + suffix;
        var otherBridge = "stvkeep" + suffix;
        var confDir = Path.Combine(root, "cni");
        var conflist = Path.Combine(confDir, "10-stevedore.conflist");
        try
        {
            Directory.CreateDirectory(confDir);
            await File.WriteAllTextAsync(conflist, """{"cniVersion":"1.0.0","name":"stevedore","plugins":[]}""");
            foreach (var name in new[] { bridge, otherBridge })
            {
                var add = await ProcessRunner.RunAsync("ip", ["link", "add", name, "type", "bridge"]);
                Assert.True(add.ExitCode == 0, add.StandardError);
            }

            var cleanup = await ProcessRunner.RunAsync(Repository.StevedoreBinary,
                ["agent", "--cleanup", "--data-dir", Path.Combine(root, "agent"), "--cni-bridge", bridge, "--cni-conf-dir", confDir]);

            Assert.True(cleanup.ExitCode == 0, cleanup.StandardOutput + cleanup.StandardError);
            Assert.False(Directory.Exists("/sys/class/net/" + bridge), $"bridge {bridge} is still there");
            Assert.False(File.Exists(conflist), $"{conflist} is still there");
            Assert.True(Directory.Exists("/sys/class/net/" + otherBridge), $"bridge {otherBridge}, not named, was removed");
        }
        finally
        {
            foreach (var name in new[] { bridge, otherBridge })
            {
                if (Directory.Exists("/sys/class/net/" + name))
                {
                    await ProcessRunner.RunAsync("ip", ["link", "delete", name]);
                }
            }

            await machine.CleanAsync(root);
        }
    }
}
