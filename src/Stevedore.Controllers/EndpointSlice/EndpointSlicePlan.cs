using k8s.Models;

namespace Stevedore.Controllers.EndpointSlice;

/// <summary>The writes that bring a Service's EndpointSlices to the desired state.</summary>
public sealed record EndpointSlicePlan(IReadOnlyList<V1EndpointSlice> ToCreate, IReadOnlyList<V1EndpointSlice> ToUpdate, IReadOnlyList<V1EndpointSlice> ToDelete)
{
    public static readonly EndpointSlicePlan Nothing = new([], [], []);

    public bool IsEmpty => ToCreate.Count == 0 && ToUpdate.Count == 0 && ToDelete.Count == 0;
}
