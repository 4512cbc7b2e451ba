using k8s.Models;

namespace Stevedore.Controllers.NodeLifecycle;

/// <summary>
/// Taints that follow node conditions (upstream doNoScheduleTaintingPass and doNoExecuteTaintingPass):
/// Ready=False → not-ready, Ready=Unknown → unreachable (NoSchedule and NoExecute); pressure conditions
/// and spec.unschedulable → NoSchedule taints.
/// </summary>
public static class NodeTaintLogic
{
    /// <summary>The node's full taint list: unmanaged taints kept, managed ones derived from the conditions.</summary>
    public static IReadOnlyList<V1Taint> DesiredTaints(V1Node node, IReadOnlyList<V1NodeCondition> conditions, DateTime now)
    {
        string? Status(string type) => conditions.FirstOrDefault(c => c.Type == type)?.Status;
        var wanted = new List<(string Key, string Effect)>();
        var ready = Status("Ready");
        if (ready == "False")
        {
            wanted.Add((NodeTaintKeys.NotReady, "NoSchedule"));
            wanted.Add((NodeTaintKeys.NotReady, "NoExecute"));
        }
        else if (ready == "Unknown")
        {
            wanted.Add((NodeTaintKeys.Unreachable, "NoSchedule"));
            wanted.Add((NodeTaintKeys.Unreachable, "NoExecute"));
        }

        foreach (var (type, key) in new[]
                 {
                     ("MemoryPressure", NodeTaintKeys.MemoryPressure), ("DiskPressure", NodeTaintKeys.DiskPressure),
                     ("PIDPressure", NodeTaintKeys.PidPressure), ("NetworkUnavailable", NodeTaintKeys.NetworkUnavailable),
                 })
        {
            if (Status(type) == "True")
            {
                wanted.Add((key, "NoSchedule"));
            }
        }

        if (node.Spec?.Unschedulable == true)
        {
            wanted.Add((NodeTaintKeys.Unschedulable, "NoSchedule"));
        }

        var existing = node.Spec?.Taints ?? [];
        var result = existing.Where(t => !NodeTaintKeys.Managed.Contains(t.Key)).ToList();
        foreach (var (key, effect) in wanted)
        {
            // Keep the original timeAdded: NoExecute eviction deadlines count from it.
            var current = existing.FirstOrDefault(t => t.Key == key && t.Effect == effect);
            result.Add(current ?? new V1Taint { Key = key, Effect = effect, TimeAdded = effect == "NoExecute" ? now : null });
        }

        return result;
    }

    /// <summary>Same taints (key, value, effect, timeAdded), in any order.</summary>
    public static bool SameTaints(IList<V1Taint>? a, IReadOnlyList<V1Taint> b)
    {
        static string Key(V1Taint t) => $"{t.Key}={t.Value}:{t.Effect}@{t.TimeAdded:O}";
        return (a ?? []).Select(Key).Order(StringComparer.Ordinal).SequenceEqual(b.Select(Key).Order(StringComparer.Ordinal));
    }
}
