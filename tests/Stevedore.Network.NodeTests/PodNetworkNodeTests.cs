using Stevedore.Network.Cni;

namespace Stevedore.Network.NodeTests;

/// <summary>The agent-side setup: conflist + egress guard from a pod CIDR, and node cleanup.</summary>
public sealed class PodNetworkNodeTests
{
    [NodeFact]
    public async Task Apply_WritesConflistAndGuard_CleanupRemovesEverythingNodeWide()
    {
        var subnet = await TestHost.FreeSubnetAsync();
        var dir = Directory.CreateTempSubdirectory("stevedore-podnet-").FullName;
        var bridge = TestHost.UniqueName("stvp");
        var network = new PodNetwork(new PodNetworkOptions
        {
            ConfDir = Path.Combine(dir, "net.d"),
            DataDir = Path.Combine(dir, "data"),
            BridgeName = bridge,
            NetworkName = "podnet-" + bridge,
            AllowedDestinations = ["10.200.0.0/13"],
        });
        var cidr = $"{subnet.BaseAddress}/24";
        try
        {
            Assert.True(await network.ApplyAsync([cidr], CancellationToken.None));
            Assert.False(await network.ApplyAsync([cidr], CancellationToken.None));

            var list = CniNetworkConfigList.LoadDefault(network.Options.ConfDir)!;
            Assert.Equal(network.ConflistPath, list.Source);
            Assert.Equal(bridge, (string?)list.Plugins[0]["bridge"]);
            Assert.False((bool)list.Plugins[0]["ipMasq"]!);
            Assert.Equal(Path.Combine(dir, "data", "cni", "networks"), (string?)list.Plugins[0]["ipam"]!["dataDir"]);
            var table = await TestHost.RunAsync("/usr/sbin/nft", "list", "table", "inet", network.Guard.TableName);
            Assert.Contains(cidr, table, StringComparison.Ordinal);
            Assert.Contains("10.200.0.0/13", table, StringComparison.Ordinal);

            // A sandbox attached through the written conflist creates the bridge and an allocation.
            var invoker = new CniInvoker();
            var netns = Netns.NetworkNamespace.Create(Netns.NetworkNamespace.DefaultDir, TestHost.UniqueName("stvpn"));
            try
            {
                var runtime = new CniRuntimeConf { ContainerId = "podnet" + Guid.NewGuid().ToString("N")[..8], NetnsPath = netns };
                var result = await invoker.AddAsync(list, runtime, CancellationToken.None);
                Assert.True(subnet.Contains(result.SandboxAddresses("eth0")[0]));
                Assert.True(TestHost.LinkExists(bridge));
            }
            finally
            {
                Netns.NetworkNamespace.Remove(netns);
            }

            // Masquerade: ipMasq on, no guard (pods may reach what the node reaches).
            network.Options.Masquerade = true;
            Assert.True(await network.ApplyAsync([cidr], CancellationToken.None));
            Assert.True((bool)CniNetworkConfigList.LoadDefault(network.Options.ConfDir)!.Plugins[0]["ipMasq"]!);
            Assert.False(await network.Guard.IsInstalledAsync(CancellationToken.None));
            network.Options.Masquerade = false;
            await network.ApplyAsync([cidr], CancellationToken.None);

            await network.CleanupAsync(CancellationToken.None);

            Assert.False(File.Exists(network.ConflistPath));
            Assert.Null(CniNetworkConfigList.LoadDefault(network.Options.ConfDir));
            Assert.False(await network.Guard.IsInstalledAsync(CancellationToken.None));
            Assert.False(TestHost.LinkExists(bridge));
            Assert.False(Directory.Exists(Path.Combine(network.Options.IpamDataDir, network.Options.NetworkName)));
            await network.CleanupAsync(CancellationToken.None);
        }
        finally
        {
            await network.CleanupAsync(CancellationToken.None);
            Directory.Delete(dir, recursive: true);
        }
    }

    [NodeFact]
    public async Task Apply_BadPodCidr_ChangesNothing()
    {
        var dir = Directory.CreateTempSubdirectory("stevedore-podnet-").FullName;
        var network = new PodNetwork(new PodNetworkOptions { ConfDir = Path.Combine(dir, "net.d"), DataDir = dir, BridgeName = TestHost.UniqueName("stvp") });
        try
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => network.ApplyAsync(["10.42.0.9/24"], CancellationToken.None));

            Assert.Contains("did you mean 10.42.0.0/24", error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(network.Options.ConfDir));
            Assert.False(await network.Guard.IsInstalledAsync(CancellationToken.None));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
    [NodeFact]
    public async Task Apply_PodCidrInsideTheAllowedClusterCidr_GuardInstalled()
    {
        // The agent allows the cluster CIDR, which contains the node's own pod CIDR: nft refuses
        // overlapping intervals in a set unless it merges them.
        var subnet = await TestHost.FreeSubnetAsync();
        var bytes = subnet.BaseAddress.GetAddressBytes();
        var cluster = $"{bytes[0]}.{bytes[1]}.0.0/16";
        var dir = Directory.CreateTempSubdirectory("stevedore-podnet-").FullName;
        var bridge = TestHost.UniqueName("stvp");
        var network = new PodNetwork(new PodNetworkOptions
        {
            ConfDir = Path.Combine(dir, "net.d"),
            DataDir = Path.Combine(dir, "data"),
            BridgeName = bridge,
            NetworkName = "podnet-" + bridge,
            AllowedDestinations = [cluster],
        });
        try
        {
            Assert.True(await network.ApplyAsync([$"{subnet.BaseAddress}/24"], CancellationToken.None));
            Assert.True(await network.Guard.IsInstalledAsync(CancellationToken.None));
            var table = await TestHost.RunAsync("/usr/sbin/nft", "list", "table", "inet", network.Guard.TableName);
            Assert.Contains(cluster, table, StringComparison.Ordinal);
        }
        finally
        {
            await network.CleanupAsync(CancellationToken.None);
            Directory.Delete(dir, recursive: true);
        }
    }
}
