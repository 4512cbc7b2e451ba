using System.Diagnostics;
using System.Runtime.InteropServices;
using ApiServerBench.Infrastructure;
using ApiServerBench.Reporting;
using ControlPlaneBench;

if (CommandLine.Parse(args) is not var (settings, scenarios))
{
    return 2;
}

// First Ctrl+C (or SIGTERM): stop the scenarios and clean up in order. Second: kill everything now.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (cancel.IsCancellationRequested)
    {
        ChildProcesses.KillAll();
        Environment.Exit(130);
    }

    Progress.Write("stopping: cleaning up servers, hollow nodes and temp folders (Ctrl+C again to kill at once)");
    cancel.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();

var clock = Stopwatch.StartNew();
try
{
    var results = await new BenchSuite(settings, scenarios).RunAsync(cancel.Token);
    Console.WriteLine();
    Console.WriteLine($"Stevedore control plane benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
        $"{(settings.Runs == 1 ? "1 run" : $"median of {settings.Runs} runs")}, took {clock.Elapsed.TotalMinutes:F1} min");
    Console.WriteLine();
    Console.Write(ResultTable.Render(results, settings.Backends));
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Progress.Write("stopped");
    return 130;
}
