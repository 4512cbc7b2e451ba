using ApiServerBench.Reporting;
using ControlPlaneBench.Reporting;
using ControlPlaneBench.Scenarios;

namespace ControlPlaneBench;

/// <summary>
/// Runs the scenarios, each on a fresh cluster, run after run; within a run the backends
/// alternate so background load on the machine hits them alike.
/// </summary>
public sealed class BenchSuite(BenchSettings settings, ScenarioSet scenarios)
{
    public async Task<ResultSet> RunAsync(CancellationToken cancellationToken)
    {
        var results = new ResultSet();
        var errors = settings.Backends.ToDictionary(b => b, _ => 0);
        for (var index = 1; index <= settings.Runs; index++)
        {
            foreach (var backend in settings.Backends)
            {
                var run = new ScenarioRun(backend, index, settings, results);
                if (scenarios.HasFlag(ScenarioSet.Scheduler))
                {
                    foreach (var nodes in settings.ThroughputNodes)
                    {
                        await GuardAsync(run, $"scheduler throughput on {nodes:N0} nodes", ct => SchedulerThroughputScenario.RunAsync(run, nodes, ct), cancellationToken);
                    }
                }

                if (scenarios.HasFlag(ScenarioSet.Deployment))
                {
                    await GuardAsync(run, "Deployment", ct => DeploymentScenario.RunAsync(run, ct), cancellationToken);
                }

                errors[backend] += run.Errors;
            }
        }

        // A total over all runs, not a median: one failed scenario in three runs must show.
        foreach (var (backend, count) in errors)
        {
            results.Add(backend, Metrics.Errors, count);
        }

        return results;
    }

    /// <summary>One broken scenario must not hide the others' numbers; the table shows the error count.</summary>
    private static async Task GuardAsync(ScenarioRun run, string name, Func<CancellationToken, Task> scenario, CancellationToken cancellationToken)
    {
        try
        {
            await scenario(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            run.Write($"{name} failed: {ex.Message}");
            run.CountError();
        }
    }
}
