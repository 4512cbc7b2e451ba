using k8s.Models;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// What preemption decided: the node the pod is nominated to and the pods that must be evicted
/// from it. The host deletes the victims and sets <c>status.nominatedNodeName</c>.
/// </summary>
public sealed record PostFilterResult(string NominatedNodeName, IReadOnlyList<V1Pod> Victims);
