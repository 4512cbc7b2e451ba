using System.Text;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>Namespaces, ConfigMaps, Secrets, ServiceAccounts, ResourceQuotas, Leases, PriorityClasses.</summary>
internal static class ConfigPrinters
{
    public static readonly KindPrinter Namespace = new(
    [
        Columns.Name,
        Columns.Text("Status", "The status of the namespace"),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), o.S("status", "phase"), Meta.Age(o, now)]);

    public static readonly KindPrinter ConfigMap = new(
    [
        Columns.Name,
        Columns.Text("Data", "Data contains the configuration data."),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), (long)(o.Count("data") + o.Count("binaryData")), Meta.Age(o, now)]);

    public static readonly KindPrinter Secret = new(
    [
        Columns.Name,
        Columns.Text("Type", "Used to facilitate programmatic handling of secret data."),
        Columns.Text("Data", "Data contains the secret data."),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), o.S("type"), (long)o.Count("data"), Meta.Age(o, now)]);

    public static readonly KindPrinter ServiceAccount = new(
    [
        Columns.Name,
        Columns.Text("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), (long)o.Count("secrets"), Meta.Age(o, now)]);

    public static readonly KindPrinter ResourceQuota = new(
    [
        Columns.Name,
        Columns.Text("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
        Columns.Text("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
        Columns.Age,
    ], (o, now) =>
    {
        var (requests, limits) = QuotaUsage(o);
        return [Meta.Name(o), requests, limits, Meta.Age(o, now)];
    });

    public static readonly KindPrinter Lease = new(
    [
        Columns.Name,
        Columns.Text("Holder", "holderIdentity contains the identity of the holder of a current lease."),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), o.S("spec", "holderIdentity"), Meta.Age(o, now)]);

    public static readonly KindPrinter PriorityClass = new(
    [
        Columns.Name,
        Columns.Int("Value", "value represents the integer value of this priority class."),
        Columns.Bool("Global-Default", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
        Columns.Age,
        Columns.Text("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority.", 1),
    ], (o, now) => [Meta.Name(o), o.L("value"), o.Bool("globalDefault") ?? false, Meta.Age(o, now), o.S("preemptionPolicy")]);

    /// <summary>"used/hard" per resource in name order; <c>limits.*</c> go to the Limit column, the rest to Request.</summary>
    private static (string Requests, string Limits) QuotaUsage(JsonObject quota)
    {
        var requests = new StringBuilder();
        var limits = new StringBuilder();
        var hard = quota.Obj("status", "hard") ?? [];
        foreach (var resource in hard.Select(p => p.Key).Order(StringComparer.Ordinal))
        {
            var target = resource.StartsWith("limits.", StringComparison.Ordinal) ? limits : requests;
            target.Append(resource).Append(": ")
                .Append(Formats.Quantity(quota.At("status", "used", resource))).Append('/')
                .Append(Formats.Quantity(hard[resource])).Append(", ");
        }
        return (requests.ToString().TrimEnd(' ', ','), limits.ToString().TrimEnd(' ', ','));
    }
}
