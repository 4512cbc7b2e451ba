// Pod start-up benchmark: `stevedore server` with its agent (engine, or containerd as CRI runtime) side by side with
// `podman kube play` of the same pod YAML; sequential and burst pod creation, runtime helper memory, idle agent.
using System.Diagnostics;
using System.Runtime.InteropServices;
using PodsBench;
using PodsBench.Infrastructure;

var settings = BenchSettings.Parse(args);
if (settings is null)
{
    return 2;
}

// First Ctrl+C (or SIGTERM): stop and clean up in order. Second: kill every child at once.
using var cancel = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (cancel.IsCancellationRequested)
    {
        ChildProcesses.KillAll();
        Environment.Exit(130);
    }

    Progress.Write("stopping: deleting pods, stopping servers, removing temp folders (Ctrl+C again to kill at once)");
    cancel.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();

var clock = Stopwatch.StartNew();
var imagesDir = TempDirectory.Create("pods-images");
await using var load = new LoadAverage();
try
{
    Progress.Write("building the test images (busybox, pause)");
    var images = await TestImages.BuildAsync(settings.ImagesScript, imagesDir, cancel.Token);
    var suite = new BenchSuite(settings, images);
    await suite.RunAsync(cancel.Token);
    Console.WriteLine();
    Console.WriteLine($"Stevedore pod benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {load.Range} (1 min), " +
        $"{(settings.Runs == 1 ? "1 run" : $"median of {settings.Runs} runs")}{(settings.Quick ? " (quick)" : "")}, took {clock.Elapsed.TotalMinutes:F1} min");
    Console.WriteLine();
    Console.Write(suite.Results.Render(settings));
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Progress.Write("stopped");
    return 130;
}
catch (Exception ex)
{
    // Everything started has been stopped and removed by now (each peer cleans up as the error passes).
    Progress.Write("failed: " + ex);
    return 1;
}
finally
{
    await TempDirectory.DeleteAsync(imagesDir);
}
