using Stevedore.Runtime;

// stevedore-shim <data-dir> <runtime> <runtime-root> <cgroup-parent> <container-id>
// The engine starts one per container, detached (its own session, output appended to the container's
// shim.log), so the container outlives the engine; the arguments are those of `stevedore engine shim`.
try
{
    var (options, id) = ContainerEngine.ParseShimArgs(args);
    return await ContainerEngine.RunShimAsync(options, id, CancellationToken.None);
}
catch (EngineException ex)
{
    await Console.Error.WriteLineAsync("stevedore-shim: " + ex.Message);
    return 2;
}
