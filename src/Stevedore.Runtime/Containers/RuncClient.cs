using System.Diagnostics;
using System.Text.Json;

namespace Stevedore.Runtime.Containers;

/// <summary>The OCI runtime command line (runc): every container operation the kernel must do goes through it.</summary>
public sealed class RuncClient(string binary, string stateRoot)
{
    /// <summary>The runtime binary.</summary>
    public string Binary => binary;

    /// <summary>The runtime's state directory (<c>--root</c>).</summary>
    public string StateRoot => stateRoot;

    /// <summary>The global arguments placed before every command.</summary>
    public IReadOnlyList<string> GlobalArgs => ["--root", stateRoot];

    /// <summary>A start description for <c>runc &lt;args&gt;</c> with the global arguments.</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(binary) { UseShellExecute = false };
        foreach (var a in GlobalArgs.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    /// <summary>Runs a short runc command and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = StartInfo(args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        using var process = StartProcess(info);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Sends a signal to the container's init process (and to all its processes when <paramref name="all"/>).
    /// A container that has stopped or is gone is not an error.
    /// </summary>
    public async Task KillAsync(string id, string signal, bool all, CancellationToken cancellationToken)
    {
        var args = new List<string> { "kill" };
        if (all)
        {
            args.Add("--all");
        }

        args.AddRange([id, signal]);
        var (code, _, stderr) = await RunAsync(args, cancellationToken);
        if (code != 0 && !stderr.Contains("not running", StringComparison.Ordinal) && !stderr.Contains("does not exist", StringComparison.Ordinal))
        {
            // The container may have exited meanwhile and its supervisor deleted it: `runc kill --all` read its
            // state, then found its cgroup gone ("lstat /sys/fs/cgroup/...: no such file"). Nothing left to signal.
            if (await StateAsync(id, cancellationToken) is null or "stopped")
            {
                return;
            }

            throw new EngineException(EngineErrorKind.Runtime, $"runc kill {id} {signal}: {LastMessage(stderr)}");
        }
    }

    /// <summary>Deletes the runtime's container (and its cgroup); a missing container is not an error.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var (code, _, stderr) = await RunAsync(["delete", "--force", id], cancellationToken);
        if (code != 0 && !stderr.Contains("does not exist", StringComparison.Ordinal))
        {
            throw new EngineException(EngineErrorKind.Runtime, $"runc delete {id}: {LastMessage(stderr)}");
        }
    }

    /// <summary>
    /// Cleans up after a container whose init has exited (what <c>runc delete</c> does for a stopped
    /// container: remove its empty cgroups and its state directory) without starting another runc
    /// process; falls back to <c>runc delete --force</c> when anything is left that needs runc.
    /// </summary>
    public async Task DeleteStoppedAsync(string id, string cgroupsPath, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var mount in CgroupMounts())
            {
                var dir = Path.Combine(mount, cgroupsPath.TrimStart('/'));
                if (Directory.Exists(dir))
                {
                    // rmdir of a cgroup only succeeds when no process is left in it.
                    Directory.Delete(dir);
                }
            }

            var state = Path.Combine(stateRoot, id);
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
        catch (IOException)
        {
            await DeleteAsync(id, cancellationToken);
        }
    }

    /// <summary>Every cgroup (v1 and v2) mount point of this mount namespace.</summary>
    private static IEnumerable<string> CgroupMounts() =>
        File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(f => f.Length > 7 && Array.IndexOf(f, "-") is var dash and > 0 && f[dash + 1] is "cgroup" or "cgroup2")
            .Select(f => f[4]);

    /// <summary>The runtime's status of a container (<c>created</c>, <c>running</c>, <c>stopped</c>), or null when unknown to it.</summary>
    public async Task<string?> StateAsync(string id, CancellationToken cancellationToken)
    {
        var (code, stdout, _) = await RunAsync(["state", id], cancellationToken);
        if (code != 0)
        {
            return null;
        }

        using var json = JsonDocument.Parse(stdout);
        return json.RootElement.GetProperty("status").GetString();
    }

    /// <summary>Starts a process, turning a missing binary into a readable error.</summary>
    public static Process StartProcess(ProcessStartInfo info)
    {
        try
        {
            return Process.Start(info) ?? throw new EngineException(EngineErrorKind.Runtime, $"could not start {info.FileName}");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new EngineException(EngineErrorKind.Runtime, $"could not start {info.FileName}: {ex.Message}", ex);
        }
    }

    /// <summary>The message of runc's last log line (<c>time=... level=error msg="..."</c>), or the raw text.</summary>
    public static string LastMessage(string stderr)
    {
        var line = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        var msg = line.IndexOf("msg=\"", StringComparison.Ordinal);
        if (msg >= 0)
        {
            var text = line[(msg + 5)..];
            var end = text.LastIndexOf('"');
            return (end >= 0 ? text[..end] : text).Replace("\\\"", "\"", StringComparison.Ordinal);
        }

        return line;
    }
}
