using k8s.Models;

namespace Stevedore.Controllers.NodeIpam;

/// <summary>
/// The node IPAM controller's decisions (upstream range allocator): rebuild the allocator from
/// the nodes that already have a pod CIDR, then give every node without one the next free block.
/// </summary>
public static class NodeIpamLogic
{
    /// <summary>An allocator with every existing node's pod CIDR(s) marked as taken (survives restarts).</summary>
    public static CidrAllocator Rebuild(IEnumerable<V1Node> nodes, string clusterCidr = CidrAllocator.DefaultClusterCidr, int nodeMaskSize = CidrAllocator.DefaultNodeMaskSize)
    {
        var allocator = new CidrAllocator(clusterCidr, nodeMaskSize);
        foreach (var cidr in nodes.SelectMany(PodCidrs))
        {
            allocator.Occupy(cidr);
        }

        return allocator;
    }

    /// <summary>
    /// Allocates a block for each node lacking spec.podCIDR, in name order. Patch each node with
    /// spec.podCIDR and spec.podCIDRs = [cidr]; if the patch fails, <see cref="CidrAllocator.Release"/> it.
    /// A null CIDR means the cluster CIDR is exhausted (upstream records CIDRNotAvailable).
    /// </summary>
    public static IReadOnlyList<(string Node, string? Cidr)> AssignMissing(CidrAllocator allocator, IEnumerable<V1Node> nodes) =>
        nodes.Where(n => !PodCidrs(n).Any())
            .OrderBy(n => n.Metadata.Name, StringComparer.Ordinal)
            .Select(n => (n.Metadata.Name, allocator.AllocateNext()))
            .ToList();

    /// <summary>The node was deleted: free its block(s).</summary>
    public static void ReleaseNode(CidrAllocator allocator, V1Node node)
    {
        foreach (var cidr in PodCidrs(node))
        {
            allocator.Release(cidr);
        }
    }

    private static IEnumerable<string> PodCidrs(V1Node node) =>
        new[] { node.Spec?.PodCIDR }.Concat(node.Spec?.PodCIDRs ?? []).Where(c => !string.IsNullOrEmpty(c)).Distinct().Select(c => c!);
}
