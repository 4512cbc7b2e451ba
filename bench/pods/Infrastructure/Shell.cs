using System.Diagnostics;

namespace PodsBench.Infrastructure;

/// <summary>Runs a command to completion and captures what it printed.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public bool Ok => ExitCode == 0;
    }

    public static async Task<Result> TryRunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        try
        {
            var process = ChildProcesses.Start(info);
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            int exitCode;
            try
            {
                await process.WaitForExitAsync(cancellationToken);
                exitCode = process.ExitCode;
            }
            finally
            {
                // Kills it only when cancelled; forgets it either way.
                await ChildProcesses.StopAsync(process);
            }

            return new Result(exitCode, await stdout, await stderr);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new Result(127, "", $"{file}: {ex.Message}");
        }
    }

    /// <summary>Like <see cref="TryRunAsync"/>, but a non-zero exit is an error naming the command and what it said.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var list = arguments.ToList();
        var result = await TryRunAsync(file, list, environment, cancellationToken);
        return result.Ok
            ? result.Stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', list)} exited with {result.ExitCode}: {result.Stderr.Trim()}");
    }
}
