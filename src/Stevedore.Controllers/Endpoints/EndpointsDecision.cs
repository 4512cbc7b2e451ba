using k8s.Models;

namespace Stevedore.Controllers.Endpoints;

/// <summary>What the Endpoints controller writes for one Service: nothing, a new object, or a replacement of the current one.</summary>
public sealed record EndpointsDecision(V1Endpoints? ToCreate, V1Endpoints? ToUpdate)
{
    public static readonly EndpointsDecision Nothing = new(null, null);
}
