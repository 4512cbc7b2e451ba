namespace Stevedore.Runtime.Containers;

/// <summary>Where one container's files live under the engine's data directory.</summary>
public sealed class ContainerPaths(string containersRoot, string id)
{
    /// <summary>The container directory, which is also the OCI bundle.</summary>
    public string Dir { get; } = Path.Combine(containersRoot, id);
    public string Record => Path.Combine(Dir, "container.json");
    public string Lock => Path.Combine(Dir, "container.lock");
    public string Config => Path.Combine(Dir, "config.json");
    public string Rootfs => Path.Combine(Dir, "rootfs");
    public string Upper => Path.Combine(Dir, "upper");
    public string Work => Path.Combine(Dir, "work");
    public string Init => Path.Combine(Dir, "init");
    public string Log => Path.Combine(Dir, "container.log");

    /// <summary>The log file of a container with <paramref name="options"/>: its own path, or <see cref="Log"/>.</summary>
    public string LogOf(ContainerOptions options) => options.LogPath ?? Log;
    public string PidFile => Path.Combine(Dir, "init.pid");
    public string ShimLog => Path.Combine(Dir, "shim.log");
}
