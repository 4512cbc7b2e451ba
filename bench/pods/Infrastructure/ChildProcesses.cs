using System.Collections.Concurrent;
using System.Diagnostics;

namespace PodsBench.Infrastructure;

/// <summary>
/// Every process the benchmark started, so a second Ctrl+C or an abrupt exit can still kill
/// them when the orderly unwinding (disposal) does not get there.
/// </summary>
public static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    public static Process Start(ProcessStartInfo info)
    {
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {info.FileName}");
        Running[process.Id] = process;
        return process;
    }

    /// <summary>Kills the process tree, waits for it and forgets it.</summary>
    public static async Task StopAsync(Process process)
    {
        Running.TryRemove(process.Id, out _);
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        process.Dispose();
    }

    public static void KillAll()
    {
        foreach (var (id, process) in Running)
        {
            Running.TryRemove(id, out _);
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
