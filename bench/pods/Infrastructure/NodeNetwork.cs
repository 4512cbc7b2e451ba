namespace PodsBench.Infrastructure;

/// <summary>
/// A pod network of this benchmark's own (bridge name, cluster CIDR), so it never touches the default
/// <c>stevedore0</c> / <c>10.42.0.0/16</c> of a cluster someone else runs on the machine; and its cleanup:
/// the bridge and the agent's egress guard (nft table <c>inet stevedore_egress_BRIDGE</c>).
/// </summary>
public sealed record NodeNetwork(string Bridge, string ClusterCidr)
{
    public string GuardTable => "stevedore_egress_" + Bridge;

    public static NodeNetwork CreateUnique(string prefix)
    {
        var suffix = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];
        // 10.150.0.0/16 – 10.199.0.0/16: clear of the default 10.42/16, podman's 10.88/16 and the node tests' 10.232.x/24.
        return new NodeNetwork(prefix + suffix, $"10.{Random.Shared.Next(150, 200)}.0.0/16");
    }

    /// <summary>Removes the bridge and the guard table if they exist.</summary>
    public async Task CleanupAsync()
    {
        if (BridgeExists)
        {
            await Shell.TryRunAsync("ip", ["link", "delete", Bridge]);
        }

        if (await GuardExistsAsync())
        {
            await Shell.TryRunAsync("nft", ["delete", "table", "inet", GuardTable]);
        }
    }

    public bool BridgeExists => Directory.Exists("/sys/class/net/" + Bridge);

    public async Task<bool> GuardExistsAsync() => (await Shell.TryRunAsync("nft", ["list", "table", "inet", GuardTable])).Ok;
}
