namespace ApiServerBench.Reporting;

/// <summary>Every row the benchmarks report, with the goals from the API server performance issue.</summary>
public static class Metrics
{
    public static Metric CreateP50(int rate) => new($"create latency p50 at {rate}/s", "ms");

    public static Metric CreateP99(int rate) => new($"create latency p99 at {rate}/s", "ms", GoalKind.AtMost, 10);

    public static Metric CreateAchieved(int rate) => new($"creates completed/s at {rate}/s offered", "1/s");

    public static Metric Throughput(int clients) => new($"creates/s with {clients} clients", "1/s");

    public static readonly Metric ThroughputPlateau = new("creates/s plateau (best of the above)", "1/s", GoalKind.AtLeast, 2000);

    public static readonly Metric GetP50 = new("GET latency p50", "ms");

    public static readonly Metric GetP99 = new("GET latency p99", "ms", GoalKind.AtMost, 2);

    public static Metric WatchP50(int watchers) => new($"watch delivery p50, {watchers} watchers", "ms");

    public static Metric WatchP99(int watchers) => new($"watch delivery p99, {watchers} watchers", "ms", GoalKind.AtMost, 20);

    public static readonly Metric WatchMissed = new("watch events not delivered", "count");

    public static Metric ListTime(int pods) => new($"LIST {pods:N0} pods", "ms", GoalKind.AtMost, 300);

    public static Metric ListSize(int pods) => new($"LIST {pods:N0} pods, body size", "MiB");

    public static readonly Metric RssIdle = new("RSS idle after start", "MiB", GoalKind.AtMost, 150);

    public static Metric RssAfterPods(int pods) => new($"RSS after {pods:N0} pods", "MiB");

    public static Metric RssAfterList(int pods) => new($"RSS after {pods:N0} pods and the LISTs", "MiB");

    public static Metric PodLoadRate(int clients) => new($"pod creates/s while loading ({clients} clients)", "1/s");

    public static readonly Metric ColdStart = new("cold start to /readyz", "ms", GoalKind.AtMost, 1500);

    public static readonly Metric Errors = new("failed requests (all benchmarks)", "count");
}
