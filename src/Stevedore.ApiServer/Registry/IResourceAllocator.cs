using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Registry;

/// <summary>
/// Hands out values that must be unique across all objects of a kind and come from a finite
/// pool (a Service's cluster IPs and node ports). The registry calls it after defaulting and
/// validation, right before the store write, and settles the returned <see cref="IAllocation"/>
/// with the write's outcome.
/// </summary>
public interface IResourceAllocator
{
    bool Handles(ApiResource resource);

    /// <summary>
    /// Fills the values <paramref name="desired"/> needs into it and reserves them (nothing is
    /// reserved on <paramref name="dryRun"/>). <paramref name="current"/> is null on create.
    /// </summary>
    /// <exception cref="Http.ApiException">A requested value is out of range or taken (422), or the pool is exhausted (500).</exception>
    IAllocation Allocate(JsonObject desired, JsonObject? current, bool dryRun);

    /// <summary>The object left the store at <paramref name="revision"/>; its values are free again.</summary>
    void Removed(JsonObject removed, long revision);
}

/// <summary>Reservations of one write: committed when the write succeeded, released otherwise. Settling twice is a no-op.</summary>
public interface IAllocation
{
    void Commit(long revision);

    void Release();
}

/// <summary>The allocation of kinds that allocate nothing.</summary>
public sealed class NoAllocation : IAllocation
{
    public static readonly NoAllocation Instance = new();

    private NoAllocation()
    {
    }

    public void Commit(long revision)
    {
    }

    public void Release()
    {
    }
}
