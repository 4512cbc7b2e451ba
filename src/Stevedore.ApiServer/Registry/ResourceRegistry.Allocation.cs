using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Registry;

public sealed partial class ResourceRegistry
{
    /// <summary>Allocates pooled values (Service IPs and node ports); none when null.</summary>
    public IResourceAllocator? Allocator { get; init; }

    private IAllocation Allocate(ApiResource resource, JsonObject desired, JsonObject? current, WriteOptions options) =>
        Allocator is { } allocator && allocator.Handles(resource) && options.Subresource is null
            ? allocator.Allocate(desired, current, options.DryRun)
            : NoAllocation.Instance;

    private void Removed(ApiResource resource, JsonObject removed, long revision)
    {
        if (Allocator is { } allocator && allocator.Handles(resource))
        {
            allocator.Removed(removed, revision);
        }
    }
}
