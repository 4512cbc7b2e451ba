using System.Diagnostics;
using System.Runtime.InteropServices;
using DnsBench;

// dns-bench serve ...: the DNS side (a child process of the benchmark); anything else: the benchmark.
if (args.Length > 0 && args[0] == "serve")
{
    return await ServeMode.RunAsync(args[1..]);
}

var settings = BenchSettings.Parse(args);
if (settings is null)
{
    return 2;
}

// First Ctrl+C (or SIGTERM): stop and clean up in order. Second: kill everything now.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (cancel.IsCancellationRequested)
    {
        ChildProcesses.KillAll();
        Environment.Exit(130);
    }

    Progress.Write("stopping: cleaning up processes and temp folders (Ctrl+C again to kill at once)");
    cancel.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();

var clock = Stopwatch.StartNew();
try
{
    var results = await BenchSuite.RunAsync(settings, cancel.Token);
    Console.WriteLine();
    Console.WriteLine($"Stevedore cluster DNS benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
        $"{settings.Services:N0} Services × {settings.EndpointsPerService} endpoints, " +
        $"{(settings.Runs == 1 ? "1 run" : $"median of {settings.Runs} runs")}, {settings.Duration.TotalSeconds:0} s per measurement, " +
        $"load average {LoadAverage()} at the end, took {clock.Elapsed.TotalMinutes:F1} min");
    Console.WriteLine();
    Console.Write(results.Render());
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Progress.Write("stopped");
    return 130;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
