using System.Globalization;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>RoleBindings, ClusterRoleBindings, PodDisruptionBudgets, HorizontalPodAutoscalers, admission webhook configurations.</summary>
internal static class PolicyPrinters
{
    public static readonly KindPrinter RoleBinding = Binding("roleBinding");

    public static readonly KindPrinter ClusterRoleBinding = Binding("clusterRoleBinding");

    public static readonly KindPrinter PodDisruptionBudget = new(
    [
        Columns.Name,
        Columns.Text("Min Available", "The minimum number of pods that must be available."),
        Columns.Text("Max Unavailable", "The maximum number of pods that may be unavailable."),
        Columns.Int("Allowed Disruptions", "Calculated number of pods that may be disrupted at this time."),
        Columns.Age,
    ], (o, now) =>
    [
        Meta.Name(o), o.IntOrString("spec", "minAvailable") ?? "N/A", o.IntOrString("spec", "maxUnavailable") ?? "N/A",
        o.L("status", "disruptionsAllowed"), Meta.Age(o, now),
    ]);

    public static readonly KindPrinter HorizontalPodAutoscaler = new(
    [
        Columns.Name,
        Columns.Text("Reference", "scaleTargetRef points to the target resource to scale."),
        Columns.Text("Targets", "metrics contains the specifications for which to use to calculate the desired replica count."),
        Columns.Text("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
        Columns.Text("MaxPods", "maxReplicas is the upper limit for the number of pods that can be set by the autoscaler."),
        Columns.Text("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler."),
        Columns.Age,
    ], (o, now) =>
    [
        Meta.Name(o), o.S("spec", "scaleTargetRef", "kind") + "/" + o.S("spec", "scaleTargetRef", "name"), HpaTargets(o),
        o.Long("spec", "minReplicas") is { } min ? Formats.Invariant(min) : Formats.Unset,
        o.L("spec", "maxReplicas"), o.L("status", "currentReplicas"), Meta.Age(o, now),
    ]);

    public static readonly KindPrinter MutatingWebhookConfiguration = Webhooks();

    public static readonly KindPrinter ValidatingWebhookConfiguration = Webhooks();

    private static KindPrinter Binding(string what) => new(
    [
        Columns.Name,
        Columns.Text("Role", "RoleRef can only reference a ClusterRole in the global namespace."),
        Columns.Age,
        Columns.Text("Users", $"Users in the {what}", 1),
        Columns.Text("Groups", $"Groups in the {what}", 1),
        Columns.Text("ServiceAccounts", $"ServiceAccounts in the {what}", 1),
    ], (o, now) =>
    {
        var subjects = o.Items("subjects").ToList();
        string Join(string kind, Func<JsonObject, string> format) =>
            string.Join(", ", subjects.Where(s => s.Str("kind") == kind).Select(format));
        return
        [
            Meta.Name(o), o.S("roleRef", "kind") + "/" + o.S("roleRef", "name"), Meta.Age(o, now),
            Join("User", s => s.S("name")), Join("Group", s => s.S("name")),
            Join("ServiceAccount", s => s.S("namespace") + "/" + s.S("name")),
        ];
    });

    private static KindPrinter Webhooks() => new(
    [
        Columns.Name,
        Columns.Int("Webhooks", "Webhooks indicates the number of webhooks registered in this configuration"),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), (long)o.Count("webhooks"), Meta.Age(o, now)]);

    /// <summary>The TARGETS cell: "cpu: 40%/80%", "&lt;unknown&gt;" until measured, at most two then "+ N more...".</summary>
    internal static string HpaTargets(JsonObject hpa)
    {
        var specs = hpa.Items("spec", "metrics").ToList();
        if (specs.Count == 0)
        {
            return Formats.None;
        }
        var statuses = hpa.Items("status", "currentMetrics").ToList();
        var list = new List<string>();
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var status = i < statuses.Count ? statuses[i] : null;
            list.Add(spec.Str("type") switch
            {
                "External" => ValueTarget(spec.Obj("external", "target"), status.Obj("external", "current"), status?.Obj("external") is not null),
                "Object" => ValueTarget(spec.Obj("object", "target"), status.Obj("object", "current"), status?.Obj("object") is not null),
                "Pods" => (status?.Obj("pods") is not null ? Formats.Quantity(status.At("pods", "current", "averageValue")) : Formats.Unknown)
                    + "/" + Formats.Quantity(spec.At("pods", "target", "averageValue")),
                "Resource" => ResourceTarget(spec.Obj("resource"), status?.Obj("resource")),
                "ContainerResource" => ResourceTarget(spec.Obj("containerResource"), status?.Obj("containerResource")),
                _ => "<unknown type>",
            });
        }
        const int max = 2;
        return list.Count > max
            ? string.Join(", ", list.Take(max)) + $" + {Formats.Invariant(list.Count - max)} more..."
            : string.Join(", ", list);
    }

    private static string ValueTarget(JsonObject? target, JsonObject? current, bool measured)
    {
        if (target?.At("averageValue") is { } average)
        {
            var now = measured && current?.At("averageValue") is { } currentAverage ? Formats.Quantity(currentAverage) : Formats.Unknown;
            return $"{now}/{Formats.Quantity(average)} (avg)";
        }
        var value = measured ? Formats.Quantity(current?.At("value")) : Formats.Unknown;
        return $"{value}/{Formats.Quantity(target?.At("value"))}";
    }

    private static string ResourceTarget(JsonObject? spec, JsonObject? status)
    {
        var name = spec.S("name");
        if (spec?.At("target", "averageValue") is { } average)
        {
            var now = status is not null ? Formats.Quantity(status.At("current", "averageValue")) : Formats.Unknown;
            return $"{name}: {now}/{Formats.Quantity(average)}";
        }
        var current = status?.Long("current", "averageUtilization") is { } used
            ? used.ToString(CultureInfo.InvariantCulture) + "%"
            : Formats.Unknown;
        var target = spec.Long("target", "averageUtilization") is { } wanted
            ? wanted.ToString(CultureInfo.InvariantCulture) + "%"
            : "<auto>";
        return $"{name}: {current}/{target}";
    }
}
