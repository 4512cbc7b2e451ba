using System.Diagnostics;
using Stevedore.Runtime.Native;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// Owns one run of a container: starts <c>runc run --keep</c> (which stays the parent of the container
/// and exits with its status), copies its output into the CRI log, records the pid, and when it ends
/// records the exit code and whether the OOM killer struck, then deletes the runtime state, unmounts
/// the root and (for --rm) removes the container. Runs inside the engine or inside a detached shim.
/// </summary>
internal sealed class ContainerSupervisor(RuncClient runc, ContainerStore store, string cgroupsPath, TimeProvider time)
{
    /// <summary>File removal still running after <see cref="RunAsync"/> returned (for --rm); a process about to exit awaits it.</summary>
    public Task Cleanup { get; private set; } = Task.CompletedTask;

    /// <summary>Runs the container to completion; <paramref name="started"/> completes once it runs (or failed to).</summary>
    public async Task<ContainerRecord> RunAsync(string id, AttachOptions attach, TaskCompletionSource<ContainerRecord> started, CancellationToken cancellationToken)
    {
        var paths = store.PathsOf(id);
        var record = store.Get(id);
        File.Delete(paths.PidFile);

        PseudoTerminal? pty = null;
        ProcessStartInfo info;
        var runArgs = new List<string> { "run", "--keep", "--pid-file", paths.PidFile, "--bundle", paths.Dir, id };
        if (record.Options.Tty && !attach.InheritStdio)
        {
            // runc proxies a container terminal only to a terminal of its own: give it a pty slave as
            // stdio and controlling terminal, and read the other end here.
            pty = PseudoTerminal.Open();
            info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var a in new[] { "-c", PseudoTerminal.LaunchScript, pty.SlavePath, runc.Binary }.Concat(runc.GlobalArgs).Concat(runArgs))
            {
                info.ArgumentList.Add(a);
            }
        }
        else
        {
            info = runc.StartInfo(runArgs);
        }

        var capture = !attach.InheritStdio && pty is null;
        info.RedirectStandardOutput = capture;
        info.RedirectStandardError = capture;
        info.RedirectStandardInput = !attach.InheritStdio;

        Process process;
        try
        {
            process = RuncClient.StartProcess(info);
        }
        catch (EngineException ex)
        {
            pty?.Dispose();
            var failed = Finish(id, exitCode: 127, oomKilled: false, error: ex.Message);
            started.TrySetException(ex);
            return failed;
        }

        using var _ = process;
        var logPath = paths.LogOf(record.Options);
        await using var log = new CriLogWriter(logPath, time);
        using var reopenLog = LogReopenSignal.Handle(log);

        // Attached clients (engine AttachAsync, CRI Attach) see the output from now on and, for a
        // container with open stdin and no foreground input, feed its stdin.
        Stream? attachedStdin = null;
        if (!attach.InheritStdio && attach.Stdin is null && record.Options.OpenStdin)
        {
            attachedStdin = pty is null ? process.StandardInput.BaseStream : pty.Master;
        }

        var attachServer = attach.InheritStdio ? null : TryServeAttach(id, attachedStdin, record.Options.StdinOnce, pty);
        if (attachServer is null)
        {
            attachedStdin = null;
        }

        var copies = new List<Task>();
        if (capture)
        {
            copies.Add(log.CopyAsync(process.StandardOutput.BaseStream, "stdout", attachServer?.Output(AttachFrameKind.Stdout, attach.Stdout) ?? attach.Stdout, CancellationToken.None));
            copies.Add(log.CopyAsync(process.StandardError.BaseStream, "stderr", attachServer?.Output(AttachFrameKind.Stderr, attach.Stderr) ?? attach.Stderr, CancellationToken.None));
        }
        else if (pty is not null)
        {
            copies.Add(log.CopyAsync(pty.Output, "stdout", attachServer?.Output(AttachFrameKind.Stdout, attach.Stdout) ?? attach.Stdout, CancellationToken.None));
        }

        if (!attach.InheritStdio && attachedStdin is null)
        {
            copies.Add(FeedStdinAsync(attach.Stdin, pty is null ? process.StandardInput.BaseStream : pty.Master, pty is null ? process.StandardInput : null));
        }

        // runc writes the pid file once the container exists; it is ours from then on.
        var pid = 0;
        while (!process.HasExited && (pid = ReadPid(paths.PidFile)) == 0)
        {
            await Task.Delay(2, CancellationToken.None);
        }

        pid = pid == 0 ? ReadPid(paths.PidFile) : pid;
        if (pid > 0)
        {
            var running = store.Update(id, r =>
            {
                r.Status = ContainerStatus.Running;
                r.Pid = pid;
                r.StartedAt = time.GetUtcNow();
                r.SupervisorPid = Environment.ProcessId;
                r.ExitCode = null;
                r.OomKilled = false;
                r.Error = null;
            });
            started.TrySetResult(running);
        }

        await process.WaitForExitAsync(CancellationToken.None);
        pty?.CloseSlave();
        var exitCode = process.ExitCode;
        await Task.WhenAll(copies).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default);
        if (attachServer is not null)
        {
            await attachServer.DisposeAsync();
        }

        pty?.Dispose();

        var oomKilled = new CgroupFiles(cgroupsPath).OomKills() > 0;
        await runc.DeleteStoppedAsync(id, cgroupsPath, CancellationToken.None);
        Snapshotter.Unmount(paths.Rootfs);

        string? error = null;
        if (pid == 0)
        {
            var lastLines = CriLogReader.ReadAll(logPath, 1);
            error = lastLines.Count > 0 ? RuncClient.LastMessage(lastLines[0].Content) : $"runc exited with {exitCode}";
        }

        var finished = Finish(id, exitCode, oomKilled, error);
        if (pid == 0)
        {
            started.TrySetException(new EngineException(EngineErrorKind.Runtime, $"container {record.Name} failed to start: {error}"));
        }

        if (record.Options.AutoRemove)
        {
            // Out of the container list at once (rename); the files go after the caller has its result.
            var trash = Path.Combine(Path.GetDirectoryName(paths.Dir)!, ".removed-" + id);
            Directory.Move(paths.Dir, trash);
            Cleanup = Task.Run(() => Snapshotter.RemoveTree(trash), CancellationToken.None);
        }

        return finished;
    }

    /// <summary>The attach socket; a container whose socket cannot be made still runs, it just cannot be attached to.</summary>
    private AttachServer? TryServeAttach(string id, Stream? stdin, bool stdinOnce, PseudoTerminal? pty)
    {
        try
        {
            return AttachServer.Start(AttachServer.SocketPathOf(runc.StateRoot, id), stdin, stdinOnce, pty);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private ContainerRecord Finish(string id, int exitCode, bool oomKilled, string? error) =>
        store.Update(id, r =>
        {
            r.Status = ContainerStatus.Exited;
            r.ExitCode = exitCode;
            r.OomKilled = oomKilled;
            r.Error = error;
            r.FinishedAt = time.GetUtcNow();
            r.Pid = 0;
        });

    private static async Task FeedStdinAsync(Stream? source, Stream destination, StreamWriter? toClose)
    {
        try
        {
            if (source is not null)
            {
                await source.CopyToAsync(destination);
                await destination.FlushAsync();
            }
        }
        catch (IOException)
        {
            // The process went away first.
        }
        finally
        {
            toClose?.Close();
        }
    }

    private static int ReadPid(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
