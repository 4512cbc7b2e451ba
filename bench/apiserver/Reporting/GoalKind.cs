namespace ApiServerBench.Reporting;

/// <summary>Which side of its goal a metric should land on.</summary>
public enum GoalKind
{
    None,
    AtMost,
    AtLeast,
}
