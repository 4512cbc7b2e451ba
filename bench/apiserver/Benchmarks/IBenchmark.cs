namespace ApiServerBench.Benchmarks;

/// <summary>One measurement against a running server; reports its numbers through <see cref="BenchRun.Report"/>.</summary>
public interface IBenchmark
{
    string Name { get; }

    Task RunAsync(BenchRun run, CancellationToken cancellationToken);
}
