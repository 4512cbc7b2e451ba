using System.Globalization;
using System.Runtime.InteropServices;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// How the engine asks a container's supervisor (a shim process, or the engine itself) to reopen its
/// log file after the kubelet renamed it away: SIGUSR1 to the supervisor's pid. A signal needs no
/// channel of its own, survives an engine restart and works the same in a NativeAOT shim.
/// </summary>
internal static partial class LogReopenSignal
{
    /// <summary>SIGUSR1 on Linux.</summary>
    public const int Number = 10;

    /// <summary>Reopens <paramref name="log"/> on every SIGUSR1 to this process until disposed.</summary>
    public static PosixSignalRegistration Handle(CriLogWriter log) =>
        PosixSignalRegistration.Create((PosixSignal)Number, context =>
        {
            // Without this the default action of SIGUSR1 ends the process.
            context.Cancel = true;
            _ = ReopenQuietlyAsync(log);
        });

    /// <summary>
    /// Whether <paramref name="pid"/> catches SIGUSR1 (its <c>SigCgt</c> mask), so that the signal reopens
    /// its log instead of killing a supervisor that predates log reopening.
    /// </summary>
    public static bool IsCaughtBy(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("SigCgt:", StringComparison.Ordinal))
                {
                    var mask = ulong.Parse(line.AsSpan("SigCgt:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    return (mask & (1UL << (Number - 1))) != 0;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return false;
    }

    /// <summary>Sends the signal; false when the process is gone.</summary>
    public static bool Send(int pid) => Kill(pid, Number) == 0;

    private static async Task ReopenQuietlyAsync(CriLogWriter log)
    {
        try
        {
            await log.ReopenAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The container is ending, or the log folder went away with its pod: the old file stays in use.
            await Console.Error.WriteLineAsync("reopening the container log failed: " + ex.Message);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
