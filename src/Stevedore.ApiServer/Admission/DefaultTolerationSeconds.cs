using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Admission;

/// <summary>
/// The DefaultTolerationSeconds admission plugin: a pod that does not already tolerate the
/// <c>node.kubernetes.io/not-ready</c> and <c>node.kubernetes.io/unreachable</c> NoExecute taints
/// gets a toleration for each with 300 s, so a short node outage does not evict it at once.
/// Runs on pod create and update (never on subresources), after defaulting, as upstream.
/// </summary>
public static class DefaultTolerationSeconds
{
    /// <summary>Upstream <c>--default-not-ready-toleration-seconds</c> and <c>--default-unreachable-toleration-seconds</c>.</summary>
    public const long Seconds = 300;

    public const string NotReadyTaint = "node.kubernetes.io/not-ready";
    public const string UnreachableTaint = "node.kubernetes.io/unreachable";

    /// <summary>Adds the missing tolerations to the pod in place; returns whether it changed.</summary>
    public static bool Admit(JsonObject pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var spec = pod.Ensure("spec");
        var tolerations = spec.Arr("tolerations");
        var changed = false;
        foreach (var key in (string[])[NotReadyTaint, UnreachableTaint])
        {
            // An empty key tolerates every taint and an empty effect every effect, as upstream reads them.
            var covered = tolerations.Objects().Any(t =>
                (!t.HasText("key") || t.Str("key") == key) && (!t.HasText("effect") || t.Str("effect") == "NoExecute"));
            if (covered)
            {
                continue;
            }

            if (tolerations is null)
            {
                spec["tolerations"] = tolerations = [];
            }

            tolerations.Add(new JsonObject
            {
                ["key"] = key,
                ["operator"] = "Exists",
                ["effect"] = "NoExecute",
                ["tolerationSeconds"] = Seconds,
            });
            changed = true;
        }

        return changed;
    }
}
