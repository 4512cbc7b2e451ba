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

        var args = new List<string> { "exec" };
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

        if (exec.InheritStdio)
        {
            using var inherited = RuncClient.StartProcess(Runc.StartInfo(args));
            await inherited.WaitForExitAsync(cancellationToken);
            return inherited.ExitCode;
        }

        if (exec.Tty)
        {
            return await ExecWithTerminalAsync(args, stdin, stdout, cancellationToken);
        }

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
        await process.WaitForExitAsync(cancellationToken);
        await Task.WhenAll(outCopy, errCopy);
        await feed;
        return process.ExitCode;
    }

    private async Task<int> ExecWithTerminalAsync(List<string> args, Stream? stdin, Stream? stdout, CancellationToken cancellationToken)
    {
        // runc proxies a terminal only to a terminal of its own: hand it a pty slave as stdio and controlling terminal.
        using var pty = PseudoTerminal.Open();
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in new[] { "-c", PseudoTerminal.LaunchScript, pty.SlavePath, Runc.Binary }.Concat(Runc.GlobalArgs).Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var process = RuncClient.StartProcess(info);
        var output = pty.Output.CopyToAsync(stdout ?? Stream.Null, cancellationToken);
        if (stdin is not null)
        {
            _ = Task.Run(() => stdin.CopyToAsync(pty.Master, cancellationToken), cancellationToken);
        }

        await process.WaitForExitAsync(cancellationToken);
        pty.CloseSlave();
        await output.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        return process.ExitCode;
    }
}
