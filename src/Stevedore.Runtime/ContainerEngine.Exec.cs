using System.Diagnostics;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Native;

namespace Stevedore.Runtime;

/// <summary>Processes run inside running containers (runc exec), with and without a terminal.</summary>
public sealed partial class ContainerEngine
{
    /// <summary>Runs a process in a running container; returns its exit code. Output is copied to the given streams.</summary>
    public async Task<int> ExecAsync(string idOrName, ExecOptions exec, Stream? stdin, Stream? stdout, Stream? stderr, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status != ContainerStatus.Running)
        {
            throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is not running");
        }

        if (exec.Args.Count == 0)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "exec needs a command");
        }

        // The pid file names the process runc starts in the container, so a cancelled exec can kill
        // it: killing runc alone would leave it running.
        var pidFile = Path.Combine(Path.GetTempPath(), $"stevedore-exec-{Guid.NewGuid():N}.pid");
        var args = new List<string> { "exec", "--pid-file", pidFile };
        if (exec.Tty)
        {
            args.Add("--tty");
        }

        if (exec.WorkingDir is not null)
        {
            args.AddRange(["--cwd", exec.WorkingDir]);
        }

        if (exec.User is not null)
        {
            args.AddRange(["--user", exec.User]);
        }

        foreach (var env in exec.Env)
        {
            args.AddRange(["--env", env]);
        }

        args.Add(record.Id);
        args.AddRange(exec.Args);

        try
        {
            if (exec.InheritStdio)
            {
                using var inherited = RuncClient.StartProcess(Runc.StartInfo(args));
                await WaitOrKillAsync(inherited, pidFile, cancellationToken);
                return inherited.ExitCode;
            }

            if (exec.Tty)
            {
                return await ExecWithTerminalAsync(args, pidFile, stdin, stdout, exec.TerminalSizes, cancellationToken);
            }

            return await ExecWithPipesAsync(args, pidFile, stdin, stdout, stderr, cancellationToken);
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    private async Task<int> ExecWithPipesAsync(List<string> args, string pidFile, Stream? stdin, Stream? stdout, Stream? stderr, CancellationToken cancellationToken)
    {
        var info = Runc.StartInfo(args);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = RuncClient.StartProcess(info);
        var feed = Task.Run(async () =>
        {
            try
            {
                if (stdin is not null)
                {
                    await stdin.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
                }
            }
            catch (IOException)
            {
            }
            finally
            {
                process.StandardInput.Close();
            }
        }, cancellationToken);
        var outCopy = process.StandardOutput.BaseStream.CopyToAsync(stdout ?? Stream.Null, cancellationToken);
        var errCopy = process.StandardError.BaseStream.CopyToAsync(stderr ?? Stream.Null, cancellationToken);
        await WaitOrKillAsync(process, pidFile, cancellationToken);
        await Task.WhenAll(outCopy, errCopy);
        await feed.ContinueWith(static _ => { }, TaskScheduler.Default);
        return process.ExitCode;
    }

    private async Task<int> ExecWithTerminalAsync(
        List<string> args, string pidFile, Stream? stdin, Stream? stdout, IAsyncEnumerable<TerminalSize>? sizes, CancellationToken cancellationToken)
    {
        // runc proxies a terminal only to a terminal of its own: hand it a pty slave as stdio and controlling terminal.
        using var pty = PseudoTerminal.Open();
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in new[] { "-c", PseudoTerminal.LaunchScript, pty.SlavePath, Runc.Binary }.Concat(Runc.GlobalArgs).Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (sizes is not null)
        {
            _ = ResizeAsync(pty, sizes, done.Token);
        }

        using var process = RuncClient.StartProcess(info);
        var output = pty.Output.CopyToAsync(stdout ?? Stream.Null, cancellationToken);
        if (stdin is not null)
        {
            _ = Task.Run(() => stdin.CopyToAsync(pty.Master, done.Token), done.Token);
        }

        try
        {
            await WaitOrKillAsync(process, pidFile, cancellationToken);
        }
        finally
        {
            await done.CancelAsync();
        }

        pty.CloseSlave();
        await output.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        return process.ExitCode;
    }

    private static async Task ResizeAsync(PseudoTerminal pty, IAsyncEnumerable<TerminalSize> sizes, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var size in sizes.WithCancellation(cancellationToken))
            {
                pty.Resize(size);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The exec ended.
        }
    }

    /// <summary>Waits for runc exec; when cancelled first, kills the process it started in the container and waits for runc.</summary>
    private static async Task WaitOrKillAsync(Process process, string pidFile, CancellationToken cancellationToken)
    {
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            KillExecProcess(pidFile);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None)
                .ContinueWith(static _ => { }, TaskScheduler.Default);
            throw;
        }
    }

    private static void KillExecProcess(string pidFile)
    {
        try
        {
            if (int.TryParse(File.ReadAllText(pidFile).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                using var inContainer = Process.GetProcessById(pid);
                inContainer.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Not started yet, or already gone.
        }
    }
}
