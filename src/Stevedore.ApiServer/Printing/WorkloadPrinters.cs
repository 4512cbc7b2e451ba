using System.Globalization;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>Deployments, ReplicaSets, ReplicationControllers, StatefulSets, DaemonSets, Jobs, CronJobs, ControllerRevisions, PodTemplates.</summary>
internal static class WorkloadPrinters
{
    public static readonly KindPrinter Deployment = new(
    [
        Columns.Name,
        Columns.Text("Ready", "Number of the pod with ready state"),
        Columns.Text("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        Columns.Text("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ], (o, now) =>
    {
        var (names, images) = Formats.Containers(o.At("spec", "template", "spec"));
        return
        [
            Meta.Name(o), DeploymentReady(o), o.L("status", "updatedReplicas"), o.L("status", "availableReplicas"), Meta.Age(o, now),
            names, images, Formats.SelectorString(o.Obj("spec", "selector")) ?? "<invalid>",
        ];
    });

    public static readonly KindPrinter ReplicaSet = new(
    [
        Columns.Name,
        Columns.Int("Desired", "Replicas is the number of desired replicas."),
        Columns.Int("Current", "Replicas is the most recently observed number of replicas."),
        Columns.Int("Ready", "The number of ready replicas for this replica set."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("Selector is a label query over pods that should match the replica count."),
    ], (o, now) =>
    {
        var (names, images) = Formats.Containers(o.At("spec", "template", "spec"));
        return
        [
            Meta.Name(o), DesiredReplicas(o), o.L("status", "replicas"), o.L("status", "readyReplicas"), Meta.Age(o, now),
            names, images, Formats.LabelSelector(o.Obj("spec", "selector")),
        ];
    });

    public static readonly KindPrinter ReplicationController = new(
    [
        Columns.Name,
        Columns.Int("Desired", "Replicas is the number of desired replicas."),
        Columns.Int("Current", "Replicas is the most recently observed number of replicas."),
        Columns.Int("Ready", "The number of ready replicas for this replication controller."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("Selector is a label query over pods that should match the Replicas count."),
    ], (o, now) =>
    {
        var (names, images) = Formats.Containers(o.At("spec", "template", "spec"));
        return
        [
            Meta.Name(o), DesiredReplicas(o), o.L("status", "replicas"), o.L("status", "readyReplicas"), Meta.Age(o, now),
            names, images, Formats.Labels(o.StringMap("spec", "selector")),
        ];
    });

    public static readonly KindPrinter StatefulSet = new(
    [
        Columns.Name,
        Columns.Text("Ready", "Number of the pod with ready state"),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
    ], (o, now) =>
    {
        var (names, images) = Formats.Containers(o.At("spec", "template", "spec"));
        return [Meta.Name(o), Ratio(o.L("status", "readyReplicas"), DesiredReplicas(o)), Meta.Age(o, now), names, images];
    });

    public static readonly KindPrinter DaemonSet = new(
    [
        Columns.Name,
        Columns.Int("Desired", "The total number of nodes that should be running the daemon pod."),
        Columns.Int("Current", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
        Columns.Int("Ready", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
        Columns.Int("Up-to-date", "The total number of nodes that are running updated daemon pod."),
        Columns.Int("Available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
        Columns.Text("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("A label query over pods that are managed by the daemon set."),
    ], (o, now) =>
    {
        var (names, images) = Formats.Containers(o.At("spec", "template", "spec"));
        return
        [
            Meta.Name(o), o.L("status", "desiredNumberScheduled"), o.L("status", "currentNumberScheduled"), o.L("status", "numberReady"),
            o.L("status", "updatedNumberScheduled"), o.L("status", "numberAvailable"),
            Formats.Labels(o.StringMap("spec", "template", "spec", "nodeSelector")), Meta.Age(o, now),
            names, images, Formats.LabelSelector(o.Obj("spec", "selector")),
        ];
    });

    public static readonly KindPrinter Job = new(
    [
        Columns.Name,
        Columns.Text("Status", "Status of the job."),
        Columns.Text("Completions", "The number of pods which reached phase Succeeded."),
        Columns.Text("Duration", "Time required to complete the job."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("A label query over pods that should match the pod count."),
    ], (o, now) =>
    {
        var (names, images) = Formats.Containers(o.At("spec", "template", "spec"));
        return [Meta.Name(o), JobStatus(o), JobCompletions(o), JobDuration(o, now), Meta.Age(o, now), names, images, Formats.LabelSelector(o.Obj("spec", "selector"))];
    });

    public static readonly KindPrinter CronJob = new(
    [
        Columns.Name,
        Columns.Text("Schedule", "The schedule in Cron format."),
        Columns.Text("Timezone", "The time zone name for the given schedule."),
        Columns.Bool("Suspend", "This flag tells the controller to suspend subsequent executions."),
        Columns.Int("Active", "A list of pointers to currently running jobs."),
        Columns.Text("Last Schedule", "Information when was the last time the job was successfully scheduled."),
        Columns.Age,
        Columns.Containers,
        Columns.Images,
        Columns.Selector("A label query over pods that should match the pod count."),
    ], (o, now) =>
    {
        var jobSpec = o.At("spec", "jobTemplate", "spec");
        var (names, images) = Formats.Containers(jobSpec.At("template", "spec"));
        var lastSchedule = o.At("status", "lastScheduleTime") is null ? Formats.None : HumanDuration.Since(o.Time("status", "lastScheduleTime"), now);
        return
        [
            Meta.Name(o), o.S("spec", "schedule"), o.Str("spec", "timeZone") ?? Formats.None, Formats.BoolPointer(o.Bool("spec", "suspend")),
            (long)o.Count("status", "active"), lastSchedule, Meta.Age(o, now), names, images, Formats.LabelSelector(jobSpec.Obj("selector")),
        ];
    });

    public static readonly KindPrinter ControllerRevision = new(
    [
        Columns.Name,
        Columns.Text("Controller", "Controller of the object"),
        Columns.Text("Revision", "Revision indicates the revision of the state represented by Data."),
        Columns.Age,
    ], (o, now) => [Meta.Name(o), ControllerOf(o), o.L("revision"), Meta.Age(o, now)]);

    public static readonly KindPrinter PodTemplate = new(
    [
        Columns.Name,
        Columns.Text("Containers", "Names of each container in the template."),
        Columns.Text("Images", "Images referenced by each container in the template."),
        Columns.Text("Pod Labels", "The labels for the pod template."),
    ], (o, _) =>
    {
        var (names, images) = Formats.Containers(o.At("template", "spec"));
        return [Meta.Name(o), names, images, Formats.Labels(o.StringMap("template", "metadata", "labels"))];
    });

    /// <summary>The READY cell of a Deployment: ready replicas over desired ("2/3").</summary>
    internal static string DeploymentReady(JsonObject deployment) =>
        Ratio(deployment.L("status", "readyReplicas"), DesiredReplicas(deployment));

    /// <summary>The STATUS cell of a Job, in upstream's precedence order.</summary>
    internal static string JobStatus(JsonObject job)
    {
        var conditions = job.Items("status", "conditions").ToList();
        bool Has(string type) => conditions.FirstOrDefault(c => c.Str("type") == type)?.Str("status") == "True";
        if (Has("Complete"))
        {
            return "Complete";
        }
        if (Has("Failed"))
        {
            return "Failed";
        }
        if (job.At("metadata", "deletionTimestamp") is not null)
        {
            return "Terminating";
        }
        if (Has("Suspended"))
        {
            return "Suspended";
        }
        return Has("FailureTarget") ? "FailureTarget" : "Running";
    }

    /// <summary>The COMPLETIONS cell of a Job: "1/3", or "0/1 of 4" for a work-queue job with parallelism.</summary>
    internal static string JobCompletions(JsonObject job)
    {
        var succeeded = job.L("status", "succeeded");
        if (job.Long("spec", "completions") is { } completions)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{succeeded}/{completions}");
        }
        var parallelism = job.L("spec", "parallelism");
        return parallelism > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1 of {parallelism}")
            : string.Create(CultureInfo.InvariantCulture, $"{succeeded}/1");
    }

    private static string JobDuration(JsonObject job, DateTimeOffset now)
    {
        if (job.Time("status", "startTime") is not { } start)
        {
            return "";
        }
        return HumanDuration.Format((job.Time("status", "completionTime") ?? now) - start);
    }

    private static string ControllerOf(JsonObject o)
    {
        var owner = o.Items("metadata", "ownerReferences").FirstOrDefault(r => r.Bool("controller") == true);
        if (owner is null)
        {
            return Formats.None;
        }
        var apiVersion = owner.S("apiVersion");
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var group = slash < 0 ? "" : apiVersion[..slash];
        var kind = owner.S("kind");
        var groupKind = group.Length == 0 ? kind : kind + "." + group;
        return groupKind.Length == 0 ? owner.S("name") : groupKind.ToLowerInvariant() + "/" + owner.S("name");
    }

    // v1 defaults replicas to 1, so an object stored without it means one.
    private static long DesiredReplicas(JsonObject o) => o.Long("spec", "replicas") ?? 1;

    private static string Ratio(long ready, long desired) => string.Create(CultureInfo.InvariantCulture, $"{ready}/{desired}");
}
