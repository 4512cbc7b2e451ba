using k8s.Models;

namespace Stevedore.Controllers.NodeLifecycle;

/// <summary>
/// What the node lifecycle controller should write for one node.
/// </summary>
/// <param name="Conditions">The node's conditions with stale ones turned Unknown.</param>
/// <param name="ConditionsChanged">Write <see cref="Conditions"/> to the node status.</param>
/// <param name="Taints">The node's full spec.taints list.</param>
/// <param name="TaintsChanged">Write <see cref="Taints"/> to the node spec.</param>
/// <param name="Ready">The Ready condition status after this decision: True, False or Unknown.</param>
/// <param name="NextCheck">When the node goes stale if no heartbeat arrives (check again then).</param>
public sealed record NodeHealthDecision(
    IReadOnlyList<V1NodeCondition> Conditions,
    bool ConditionsChanged,
    IReadOnlyList<V1Taint> Taints,
    bool TaintsChanged,
    string Ready,
    DateTime NextCheck);
