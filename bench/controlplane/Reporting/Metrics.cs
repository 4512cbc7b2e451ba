using ApiServerBench.Reporting;

namespace ControlPlaneBench.Reporting;

/// <summary>Every row the benchmark reports, with the goals from the scheduler and controllers issue.</summary>
public static class Metrics
{
    public static Metric NodesReady(int nodes) => new($"{nodes:N0} hollow nodes: start → all Ready", "s");

    public static Metric WarmupAvailable(int replicas, int nodes) => new($"{nodes:N0} nodes: warm-up Deployment of {replicas:N0}, create → Available (cold)", "s");

    public static Metric SchedulerThroughput(int nodes, int pods) =>
        new($"{nodes:N0} nodes, {pods:N0} pods created meanwhile: scheduler throughput", "pods/s", GoalKind.AtLeast, 1000);

    public static Metric BacklogThroughput(int nodes, int pods) =>
        new($"{nodes:N0} nodes, backlog of {pods:N0} pods: scheduler throughput", "pods/s", GoalKind.AtLeast, 1000);

    public static Metric BacklogReleaseToFirstBinding(int nodes) => new($"{nodes:N0} nodes, backlog: scheduler released → first binding", "s");

    public static Metric BacklogReleaseToLastBinding(int nodes) => new($"{nodes:N0} nodes, backlog: scheduler released → last binding", "s");

    public static Metric BacklogServerCpu(int nodes) => new($"{nodes:N0} nodes, backlog: server CPU, released → last binding", "s");

    public static Metric BacklogHollowCpu(int nodes) => new($"{nodes:N0} nodes, backlog: hollow-nodes CPU, same span", "s");

    public static Metric PodCreateRate(int nodes, int clients) => new($"{nodes:N0} nodes: pod creates/s ({clients} clients)", "1/s");

    public static Metric CreateToLastBinding(int nodes) => new($"{nodes:N0} nodes: first create → last binding", "s");

    public static Metric ServerCpuScheduling(int nodes) => new($"{nodes:N0} nodes: server CPU, first create → last binding", "s");

    public static Metric HollowCpuScheduling(int nodes) => new($"{nodes:N0} nodes: hollow-nodes CPU, same span", "s");

    public static Metric ServerRssScheduled(int nodes) => new($"{nodes:N0} nodes: server RSS, all pods bound", "MiB");

    public static Metric HollowRssScheduled(int nodes) => new($"{nodes:N0} nodes: hollow-nodes RSS, all pods bound", "MiB");

    public static Metric DeploymentCreated(int replicas, string round) => new($"Deployment of {replicas:N0}, {round}: create → all pods created", "s");

    public static Metric DeploymentBound(int replicas, string round) => new($"Deployment of {replicas:N0}, {round}: create → all pods bound", "s");

    public static Metric DeploymentReady(int replicas, string round) => new($"Deployment of {replicas:N0}, {round}: create → all pods Ready", "s");

    public static Metric DeploymentAvailable(int replicas, int nodes, string round) =>
        new($"Deployment of {replicas:N0} on {nodes:N0} nodes, {round}: create → all Available", "s", GoalKind.AtMost, 10);

    public static Metric DeploymentServerCpu(int replicas, string round) => new($"Deployment of {replicas:N0}, {round}: server CPU, create → Available", "s");

    public static Metric DeploymentServerRss(int replicas, string round) => new($"Deployment of {replicas:N0}, {round}: server RSS when Available", "MiB");

    public static Metric DeploymentHollowRss(int replicas, string round) => new($"Deployment of {replicas:N0}, {round}: hollow-nodes RSS when Available", "MiB");

    public static readonly Metric Errors = new("failed requests and scenarios", "count");
}
