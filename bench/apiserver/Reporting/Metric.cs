using System.Globalization;

namespace ApiServerBench.Reporting;

/// <summary>One row of the result table: what is measured, its unit and the goal from the issue (if any).</summary>
public sealed record Metric(string Label, string Unit, GoalKind Kind = GoalKind.None, double Goal = 0)
{
    public string GoalText => Kind switch
    {
        GoalKind.AtMost => $"≤ {Format(Goal)}",
        GoalKind.AtLeast => $"≥ {Format(Goal)}",
        _ => "",
    };

    public bool? Meets(double value) => Kind switch
    {
        GoalKind.AtMost => value <= Goal,
        GoalKind.AtLeast => value >= Goal,
        _ => null,
    };

    public string Format(double value) =>
        double.IsNaN(value) ? "n/a"
        : Math.Abs(value) >= 100 || value == Math.Floor(value) ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.0#", CultureInfo.InvariantCulture);
}
