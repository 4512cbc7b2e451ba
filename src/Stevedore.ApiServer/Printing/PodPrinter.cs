using System.Globalization;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>
/// Pods: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES. STATUS is the
/// one-word summary users read first, so it follows upstream's precedence exactly: init
/// container trouble ("Init:0/1", "Init:CrashLoopBackOff"), then the last container's waiting
/// or terminated reason, then Terminating / Unknown for pods being deleted.
/// </summary>
internal static class PodPrinter
{
    public static readonly KindPrinter Printer = new(
    [
        Columns.Name,
        Columns.Text("Ready", "The aggregate readiness state of this pod for accepting traffic."),
        Columns.Text("Status", "The aggregate status of the containers in this pod."),
        Columns.Text("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        Columns.Age,
        Columns.Text("IP", "IP address allocated to the pod. Routable at least within the cluster.", 1),
        Columns.Text("Node", "The node this pod is scheduled onto.", 1),
        Columns.Text("Nominated Node", "The node on which preemption made room for this pod.", 1),
        Columns.Text("Readiness Gates", "How many of the pod's readiness gates report True.", 1),
    ], Cells, Conditions);

    /// <summary>The READY, STATUS and RESTARTS cells of one pod.</summary>
    internal sealed record Summary(string Ready, string Status, string Restarts);

    private static JsonNode?[] Cells(JsonObject pod, DateTimeOffset now)
    {
        var summary = Summarize(pod, now);
        var podIp = pod.Items("status", "podIPs").Select(p => p.S("ip")).FirstOrDefault() ?? pod.S("status", "podIP");
        return
        [
            pod.S("metadata", "name"),
            summary.Ready,
            summary.Status,
            summary.Restarts,
            HumanDuration.Since(pod.Time("metadata", "creationTimestamp"), now),
            OrNone(podIp),
            OrNone(pod.S("spec", "nodeName")),
            OrNone(pod.S("status", "nominatedNodeName")),
            ReadinessGates(pod),
        ];
    }

    internal static Summary Summarize(JsonObject pod, DateTimeOffset now)
    {
        var spec = pod.Obj("spec");
        var status = pod.Obj("status");
        var restartableInit = spec.Items("initContainers")
            .Where(c => c.Str("restartPolicy") == "Always")
            .Select(c => c.S("name"))
            .ToHashSet(StringComparer.Ordinal);
        var initContainerCount = spec.Count("initContainers");

        long restarts = 0;
        long restartableInitRestarts = 0;
        var totalContainers = spec.Count("containers") + restartableInit.Count;
        var readyContainers = 0;
        DateTimeOffset? lastRestart = null;
        DateTimeOffset? lastRestartableInitRestart = null;

        var phase = status.S("phase");
        var reason = status.Str("reason") is { Length: > 0 } statusReason ? statusReason : phase;
        if (status.Items("conditions").Any(c => c.Str("type") == "PodScheduled" && c.Str("reason") == "SchedulingGated"))
        {
            reason = "SchedulingGated";
        }

        var initializing = false;
        var initStatuses = status.Items("initContainerStatuses").ToList();
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            var isRestartable = restartableInit.Contains(container.S("name"));
            restarts += container.L("restartCount");
            Latest(ref lastRestart, container.Time("lastState", "terminated", "finishedAt"));
            if (isRestartable)
            {
                restartableInitRestarts += container.L("restartCount");
                Latest(ref lastRestartableInitRestart, container.Time("lastState", "terminated", "finishedAt"));
            }

            var terminated = container.Obj("state", "terminated");
            var waitingReason = container.Str("state", "waiting", "reason");
            if (terminated is not null && terminated.L("exitCode") == 0)
            {
                continue;
            }
            if (isRestartable && container.Bool("started") == true)
            {
                if (container.Bool("ready") == true)
                {
                    readyContainers++;
                }
                continue;
            }
            if (terminated is not null)
            {
                reason = terminated.Str("reason") is { Length: > 0 } r
                    ? "Init:" + r
                    : terminated.L("signal") != 0
                        ? "Init:Signal:" + Formats.Invariant(terminated.L("signal"))
                        : "Init:ExitCode:" + Formats.Invariant(terminated.L("exitCode"));
            }
            else if (container.Obj("state", "waiting") is not null && waitingReason is { Length: > 0 } && waitingReason != "PodInitializing")
            {
                reason = "Init:" + waitingReason;
            }
            else
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"Init:{i}/{initContainerCount}");
            }
            initializing = true;
            break;
        }

        if (!initializing || HasTrueCondition(status, "Initialized"))
        {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            var hasRunning = false;
            var statuses = status.Items("containerStatuses").ToList();
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += container.L("restartCount");
                Latest(ref lastRestart, container.Time("lastState", "terminated", "finishedAt"));

                var terminated = container.Obj("state", "terminated");
                if (container.Str("state", "waiting", "reason") is { Length: > 0 } waiting)
                {
                    reason = waiting;
                }
                else if (terminated?.Str("reason") is { Length: > 0 } terminatedReason)
                {
                    reason = terminatedReason;
                }
                else if (terminated is not null)
                {
                    reason = terminated.L("signal") != 0
                        ? "Signal:" + Formats.Invariant(terminated.L("signal"))
                        : "ExitCode:" + Formats.Invariant(terminated.L("exitCode"));
                }
                else if (container.Bool("ready") == true && container.Obj("state", "running") is not null)
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            // A finished container next to a running one is not a finished pod.
            if (reason == "Completed" && hasRunning)
            {
                reason = HasTrueCondition(status, "Ready") ? "Running" : "NotReady";
            }
        }

        if (pod.At("metadata", "deletionTimestamp") is not null)
        {
            if (status.Str("reason") == "NodeLost")
            {
                reason = "Unknown";
            }
            else if (phase is not ("Succeeded" or "Failed"))
            {
                reason = "Terminating";
            }
        }

        var restartsText = Formats.Invariant(restarts);
        if (restarts != 0 && lastRestart is { } last)
        {
            restartsText += $" ({HumanDuration.Format(now - last)} ago)";
        }
        return new Summary(string.Create(CultureInfo.InvariantCulture, $"{readyContainers}/{totalContainers}"), reason, restartsText);
    }

    private static JsonArray? Conditions(JsonObject pod) => pod.Str("status", "phase") switch
    {
        "Succeeded" => [Completed("Succeeded", "The pod has completed successfully.")],
        "Failed" => [Completed("Failed", "The pod failed.")],
        _ => null,
    };

    private static JsonObject Completed(string reason, string message) => new()
    {
        ["type"] = "Completed",
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
    };

    private static string ReadinessGates(JsonObject pod)
    {
        var gates = pod.Items("spec", "readinessGates").ToList();
        if (gates.Count == 0)
        {
            return Formats.None;
        }
        var conditions = pod.Items("status", "conditions").ToList();
        var passing = gates.Count(gate =>
            conditions.FirstOrDefault(c => c.Str("type") == gate.Str("conditionType"))?.Str("status") == "True");
        return string.Create(CultureInfo.InvariantCulture, $"{passing}/{gates.Count}");
    }

    private static bool HasTrueCondition(JsonObject? status, string type) =>
        status.Items("conditions").FirstOrDefault(c => c.Str("type") == type)?.Str("status") == "True";

    private static void Latest(ref DateTimeOffset? latest, DateTimeOffset? candidate)
    {
        if (candidate is { } c && (latest is null || latest < c))
        {
            latest = c;
        }
    }

    private static string OrNone(string value) => value.Length == 0 ? Formats.None : value;
}
