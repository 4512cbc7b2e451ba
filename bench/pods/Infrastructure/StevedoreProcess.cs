using System.Diagnostics;

namespace PodsBench.Infrastructure;

/// <summary>
/// One published <c>stevedore server</c> or <c>stevedore agent</c>, run in its own folder with its output
/// in a log file there; stopped with SIGTERM (as a service manager would), killed if it lingers.
/// </summary>
public sealed class StevedoreProcess : IAsyncDisposable
{
    private readonly Process _process;

    private StevedoreProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    public int Pid => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts <c>stevedore ARGS</c> with <paramref name="workingDirectory"/> as working directory and <c>log</c> in it.</summary>
    public static StevedoreProcess Start(string binary, string workingDirectory, IEnumerable<string> arguments)
    {
        Directory.CreateDirectory(workingDirectory);
        var logPath = Path.Combine(workingDirectory, "stevedore.log");
        // exec keeps the PID the server's; its log goes to a file so the driver does not spend CPU on it.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        info.Environment["STEVEDORE_BENCH_LOG"] = logPath;
        foreach (var argument in new[] { "-c", "exec \"$0\" \"$@\" > \"$STEVEDORE_BENCH_LOG\" 2>&1", binary }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        return new StevedoreProcess(ChildProcesses.Start(info), logPath);
    }

    /// <summary>The end of the log, for error messages.</summary>
    public string LogTail(int characters = 3000)
    {
        var text = File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";
        return text.Length > characters ? text[^characters..] : text;
    }

    /// <summary>Throws with the log's end when the process has exited.</summary>
    public void ThrowIfExited(string what)
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{what} exited with {_process.ExitCode}:\n{LogTail()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await Shell.TryRunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Progress.Write($"pid {_process.Id} did not stop within 20 s of SIGTERM; killing it");
            }
        }

        await ChildProcesses.StopAsync(_process);
    }
}
