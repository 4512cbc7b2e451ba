namespace Stevedore.Runtime;

/// <summary>Where the engine keeps its data and how it runs containers.</summary>
public sealed class EngineOptions
{
    /// <summary>The default data directory.</summary>
    public const string DefaultDataDir = "/var/lib/stevedore/engine";

    /// <summary>Content, images, layers and containers live here.</summary>
    public string DataDir { get; set; } = DefaultDataDir;

    /// <summary>The OCI runtime binary.</summary>
    public string Runtime { get; set; } = "runc";

    /// <summary>The runtime's state directory; defaults to <c>/run/stevedore/runc</c>.</summary>
    public string RuntimeRoot { get; set; } = "/run/stevedore/runc";

    /// <summary>The cgroup under which every container gets <c>&lt;parent&gt;/&lt;id&gt;</c>.</summary>
    public string CgroupParent { get; set; } = "/stevedore";

    /// <summary>
    /// The command (program and leading arguments) of a detached supervisor; the engine appends the
    /// data directory and the container ID. When null, detached containers are supervised inside the
    /// engine's own process and must not outlive it.
    /// </summary>
    public IReadOnlyList<string>? ShimCommand { get; set; }

    /// <summary>Mirrors, credentials and plain-HTTP hosts in the registries.yaml format; ignored when missing.</summary>
    public string? RegistryConfigPath { get; set; } = "/etc/stevedore/registries.yaml";

    /// <summary>The clock for timestamps.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}
