using ApiServerBench.Reporting;

namespace ControlPlaneBench;

/// <summary>One run of one scenario on one backend: its settings, and where its numbers go.</summary>
public sealed class ScenarioRun(Backend backend, int index, BenchSettings settings, ResultSet results)
{
    private int _errors;

    public Backend Backend { get; } = backend;

    public BenchSettings Settings { get; } = settings;

    public int Errors => Volatile.Read(ref _errors);

    public void CountError() => Interlocked.Increment(ref _errors);

    public void Report(Metric metric, double value)
    {
        results.Add(Backend, metric, value);
        Progress.Write($"{ResultTable.Name(Backend)} run {index}: {metric.Label} = {metric.Format(value)} {metric.Unit}");
    }

    public void Write(string message) => Progress.Write($"{ResultTable.Name(Backend)} run {index}: {message}");
}
