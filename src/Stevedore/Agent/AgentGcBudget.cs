using System.Collections;
using Stevedore.Runtime.Native;

namespace Stevedore.Agent;

/// <summary>
/// A separate <c>stevedore agent</c> runs with a 4 MiB gen0 budget; every other command keeps the GC's default.
/// The workstation GC sizes gen0 from the L3 cache (~100 MB on hosts that report a large shared L3), so an idle
/// agent kept ~90 MB of dead objects committed (see README.md, "Publishing, memory and start-up"). The same cap
/// in the shared runtimeconfig cost the API server ~20 % more CPU under load (a gen0 collection per 4 MB
/// allocated) and the scheduler a quarter of its throughput. The GC reads the setting once, at start-up, and
/// <c>GCgen0size</c> only from the environment, so the agent restarts itself once with it set.
/// </summary>
public static class AgentGcBudget
{
    public const string Variable = "DOTNET_GCgen0size";

    /// <summary>4 MiB, in the hexadecimal the runtime's configuration reader expects.</summary>
    public const string Value = "0x400000";

    /// <summary>
    /// The environment to restart with, or null when the process already has a gen0 setting (ours after the
    /// restart, or the user's own, either spelling) and must go on as it is.
    /// </summary>
    public static IReadOnlyList<string>? RestartEnvironment(IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var entries = new List<string>(environment.Count + 1);
        foreach (DictionaryEntry entry in environment)
        {
            var name = (string)entry.Key;
            if (name is Variable or "COMPlus_GCgen0size")
            {
                return null;
            }

            entries.Add($"{name}={entry.Value}");
        }

        entries.Add($"{Variable}={Value}");
        return entries;
    }

    /// <summary>Restarts this process with the small gen0 budget unless it has one; returns when it already has.</summary>
    public static void EnsureSmallGen0()
    {
        if (RestartEnvironment(Environment.GetEnvironmentVariables()) is not { } environment
            || Environment.ProcessPath is not { } executable)
        {
            return;
        }

        ReleaseDiagnosticsSocket(Environment.ProcessId);
        ProcessImage.Replace(executable, ProcessImage.OwnArguments(), environment);
    }

    /// <summary>
    /// Removes the runtime's diagnostics socket of this process (<c>dotnet-diagnostic-PID-START-socket</c> in the temp
    /// folder). The runtime after the restart listens on the same path (same pid, same start time), and finding the
    /// file there its bind fails: without this, dotnet-counters, dotnet-trace and dotnet-dump could not attach to an agent.
    /// </summary>
    private static void ReleaseDiagnosticsSocket(int pid)
    {
        foreach (var socket in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket"))
        {
            File.Delete(socket);
        }
    }
}
