using System.Globalization;

namespace PodsBench.Reporting;

/// <summary>
/// One row of the table: what is measured, its unit, and the goal (a maximum) if there is one. Cells show
/// the median over runs, or for counts (<paramref name="Summed"/>) the total over runs.
/// </summary>
public sealed record Metric(string Label, string Unit, double? GoalAtMost = null, int Decimals = 0, bool Summed = false)
{
    public string GoalText => GoalAtMost is { } goal ? "≤ " + Format(goal) : "";

    public string Format(double value) => value.ToString(Decimals == 0 ? "#,0" : "#,0." + new string('0', Decimals), CultureInfo.InvariantCulture);

    public bool? Meets(double value) => GoalAtMost is { } goal ? value <= goal : null;
}

/// <summary>The rows, in table order.</summary>
public static class Metrics
{
    public static readonly Metric CreateP50 = new("pod create → Running (watch), p50 of sequential pods", "ms", 150);
    public static readonly Metric CreateP99 = new("pod create → Running (watch), p99 of sequential pods", "ms", 500);
    public static readonly Metric SmallBurst = new("N₁ pods created at once → all Running", "ms", 2_000);
    public static readonly Metric LargeBurst = new("N₂ pods created at once → all Running", "ms", 10_000);
    public static readonly Metric HelperRss = new("runtime helper processes per running pod (RSS)", "MiB", null, 1);
    public static readonly Metric IdleRss = new("agent idle RSS, no pods", "MiB", 60);
    public static readonly Metric IdleCpu = new("agent idle CPU, no pods", "% core", null, 2);
    public static readonly Metric RuntimeRss = new("separate runtime daemon idle RSS", "MiB");
    public static readonly Metric Failures = new("pods that did not run within 3 min, all runs", "count", Summed: true);
    public static readonly Metric BrokenRuns = new("runs that broke off with an error (see the progress log)", "count", Summed: true);
    public static readonly Metric Leftovers = new("things left behind after the pods' deletion, all runs", "count", Summed: true);

    public static IReadOnlyList<Metric> All => [CreateP50, CreateP99, SmallBurst, LargeBurst, HelperRss, IdleRss, IdleCpu, RuntimeRss, Failures, BrokenRuns, Leftovers];
}
