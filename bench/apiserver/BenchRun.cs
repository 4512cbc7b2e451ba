using ApiServerBench.Infrastructure;
using ApiServerBench.Reporting;

namespace ApiServerBench;

/// <summary>One run on one fresh server: what a benchmark needs to drive it and to report numbers.</summary>
public sealed class BenchRun(Backend backend, int index, ServerProcess server, BenchSettings settings, ResultSet results)
{
    private int _errors;

    public Backend Backend { get; } = backend;

    public ServerProcess Server { get; } = server;

    public BenchSettings Settings { get; } = settings;

    /// <summary>The shared request/response client (watch streams open their own).</summary>
    public ApiClient Api { get; } = new(server.Connection.CreateClient());

    public int Errors => Volatile.Read(ref _errors);

    public void CountError() => Interlocked.Increment(ref _errors);

    public void Report(Metric metric, double value)
    {
        results.Add(Backend, metric, value);
        Progress.Write($"{ResultTable.Name(Backend)} run {index}: {metric.Label} = {metric.Format(value)} {metric.Unit}");
    }
}
