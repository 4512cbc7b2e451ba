using System.Diagnostics;
using Stevedore.Runtime.Containers;

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
        var runc = new RuncClient(options.Runtime, options.RuntimeRoot);
        var supervisor = new ContainerSupervisor(runc, containers, CgroupPathOf(options, id), options.Time);
        var started = new TaskCompletionSource<ContainerRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = await supervisor.RunAsync(id, new AttachOptions(), started, cancellationToken);
        await supervisor.Cleanup;
        return result.ExitCode ?? 0;
    }

    private async Task<ContainerRecord> StartShimAsync(ContainerRecord record, IReadOnlyList<string> shim, ContainerPaths paths, CancellationToken cancellationToken)
    {
        // The shim runs in its own session with no stdio of ours, so it outlives this process.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("setsid \"$@\" </dev/null >>\"$0\" 2>&1 &");
        info.ArgumentList.Add(paths.ShimLog);
        foreach (var a in shim.Concat([Options.DataDir, Options.Runtime, Options.RuntimeRoot, Options.CgroupParent, record.Id]))
        {
            info.ArgumentList.Add(a);
        }

        Containers.Update(record.Id, r => r.Error = null);
        using (var launcher = RuncClient.StartProcess(info))
        {
            await launcher.WaitForExitAsync(cancellationToken);
        }

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

            if (DateTime.UtcNow > deadline)
            {
                throw new EngineException(EngineErrorKind.Runtime, $"container {record.Name} did not start within 30s; see {paths.ShimLog}");
            }

            await Task.Delay(5, cancellationToken);
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
