using System.Diagnostics;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Native;

namespace Stevedore.Runtime;

/// <summary>Detached supervision: the shim process that outlives the engine and owns one container run.</summary>
public sealed partial class ContainerEngine
{
    /// <summary>
    /// The entry point of a detached shim (<c>stevedore-shim</c>, or <c>stevedore engine shim</c>): supervises
    /// one container to completion in this process. It opens only the container store and runc, not the
    /// whole engine: a shim starts on every container's critical path, and the native shim must not reach
    /// code that needs reflection (image and registry JSON).
    /// </summary>
    public static async Task<int> RunShimAsync(EngineOptions options, string id, CancellationToken cancellationToken)
    {
        var containers = new ContainerStore(ContainersDirOf(options));
        var paths = containers.PathsOf(id);
        if (!Directory.Exists(paths.Dir))
        {
            throw new EngineException(EngineErrorKind.NotFound, $"no such container: {id}");
        }

        // The engine starts the shim as its own child: from here on it is on its own (session, stdio).
        Daemon.Detach(paths.ShimLog);
        var runc = new RuncClient(options.Runtime, options.RuntimeRoot);
        var supervisor = new ContainerSupervisor(runc, containers, CgroupPathOf(options, id), options.Time);
        var started = new TaskCompletionSource<ContainerRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = await supervisor.RunAsync(id, new AttachOptions(), started, cancellationToken);
        await supervisor.Cleanup;
        return result.ExitCode ?? 0;
    }

    private async Task<ContainerRecord> StartShimAsync(ContainerRecord record, IReadOnlyList<string> shim, ContainerPaths paths, CancellationToken cancellationToken)
    {
        // Started directly, not through `sh -c 'setsid ... &'` (two exec()s more per container): the shim
        // detaches itself (Daemon.Detach: own session, stdio to shim.log), so it outlives this process, and
        // .NET reaps it if it exits while this process lives. Redirected stdio keeps it off our terminal
        // until it has detached.
        var info = new ProcessStartInfo(shim[0]) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in shim.Skip(1).Concat([Options.DataDir, Options.Runtime, Options.RuntimeRoot, Options.CgroupParent, record.Id]))
        {
            info.ArgumentList.Add(a);
        }

        Containers.Update(record.Id, r => r.Error = null);
        var shimProcess = RuncClient.StartProcess(info);
        shimProcess.StandardInput.Close();

        // Both pipes close when the shim detaches (or exits): whatever came through them is why it could not
        // start (bad arguments, no such container).
        var beforeDetach = Task.WhenAll(shimProcess.StandardOutput.ReadToEndAsync(CancellationToken.None), shimProcess.StandardError.ReadToEndAsync(CancellationToken.None));
        try
        {
            return await WaitForShimAsync(record, paths, shimProcess, beforeDetach, cancellationToken);
        }
        finally
        {
            // Not before the pipes have closed: disposing would fail the reads.
            _ = beforeDetach.ContinueWith(_ => shimProcess.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>Waits until the shim records the container running (or already exited), or exits without a run.</summary>
    private async Task<ContainerRecord> WaitForShimAsync(ContainerRecord record, ContainerPaths paths, Process shimProcess, Task<string[]> beforeDetach, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var current = Containers.Get(record.Id);
            if (current.Status == ContainerStatus.Running || current.Status == ContainerStatus.Exited && current.FinishedAt > record.FinishedAt.GetValueOrDefault())
            {
                if (current.Error is not null)
                {
                    throw new EngineException(EngineErrorKind.Runtime, $"container {record.Name} failed to start: {current.Error}");
                }

                return current;
            }

            // Read again after seeing the exit: the shim may have run the whole container in between.
            if (shimProcess.HasExited && Containers.Get(record.Id) is var last && last.Status != ContainerStatus.Running && last.FinishedAt == record.FinishedAt)
            {
                // Gone without recording a run: it never got to the supervisor.
                var said = await SaidBeforeDetachingAsync(beforeDetach);
                throw new EngineException(EngineErrorKind.Runtime, $"container {record.Name} did not start: its shim exited with {shimProcess.ExitCode}" + (said.Length > 0 ? ": " + said : $"; see {paths.ShimLog}"));
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new EngineException(EngineErrorKind.Runtime, $"container {record.Name} did not start within 30s; see {paths.ShimLog}");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    private static async Task<string> SaidBeforeDetachingAsync(Task<string[]> output)
    {
        try
        {
            return string.Join(' ', (await output.WaitAsync(TimeSpan.FromSeconds(5))).Select(o => o.Trim()).Where(o => o.Length > 0));
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or ObjectDisposedException)
        {
            return "";
        }
    }

    /// <summary>Parses the arguments a shim receives after its command prefix.</summary>
    public static (EngineOptions Options, string Id) ParseShimArgs(IReadOnlyList<string> args)
    {
        if (args.Count != 5)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "shim arguments: <data-dir> <runtime> <runtime-root> <cgroup-parent> <container-id>");
        }

        return (new EngineOptions { DataDir = args[0], Runtime = args[1], RuntimeRoot = args[2], CgroupParent = args[3] }, args[4]);
    }
}
