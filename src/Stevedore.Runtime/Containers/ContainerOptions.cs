namespace Stevedore.Runtime.Containers;

/// <summary>What a caller asks for when creating a container (docker's create/run flags, CRI's ContainerConfig).</summary>
public sealed class ContainerOptions
{
    /// <summary>The image name or ID.</summary>
    public string Image { get; set; } = "";

    /// <summary>A unique name; generated when null.</summary>
    public string? Name { get; set; }

    /// <summary>Replaces the image's entrypoint when set (an empty list clears it).</summary>
    public IReadOnlyList<string>? Entrypoint { get; set; }

    /// <summary>Replaces the image's Cmd when non-empty.</summary>
    public IReadOnlyList<string> Command { get; set; } = [];

    /// <summary><c>KEY=value</c> entries, overriding the image's.</summary>
    public IReadOnlyList<string> Env { get; set; } = [];

    /// <summary>The working directory; the image's or <c>/</c> when null.</summary>
    public string? WorkingDir { get; set; }

    /// <summary><c>uid[:gid]</c> or a user name from the image's /etc/passwd; the image's user when null.</summary>
    public string? User { get; set; }

    /// <summary>The hostname; the first 12 characters of the ID when null.</summary>
    public string? Hostname { get; set; }

    /// <summary>Allocates a terminal for the main process.</summary>
    public bool Tty { get; set; }

    /// <summary>Keeps the process's stdin open (docker -i); attached clients write to it.</summary>
    public bool OpenStdin { get; set; }

    /// <summary>With <see cref="OpenStdin"/>: the first attached client that ends its input closes the process's stdin.</summary>
    public bool StdinOnce { get; set; }

    /// <summary>Memory limit in bytes (swap disabled up to the same amount); 0 = unlimited.</summary>
    public long MemoryBytes { get; set; }

    /// <summary>CPU quota in cores (docker --cpus); 0 = unlimited.</summary>
    public double Cpus { get; set; }

    /// <summary>Relative CPU weight (cgroup v1 cpu.shares); 0 = default.</summary>
    public long CpuShares { get; set; }

    /// <summary>Maximum number of processes; 0 = unlimited.</summary>
    public long PidsLimit { get; set; }

    /// <summary>Mounts the root filesystem read-only.</summary>
    public bool ReadOnlyRootfs { get; set; }

    /// <summary>
    /// <c>none</c> (own namespace with loopback, the default), <c>host</c>, <c>container:&lt;id|name&gt;</c>,
    /// or <c>ns:&lt;path&gt;</c> to join a pinned namespace (a CNI-configured pod network).
    /// </summary>
    public string Network { get; set; } = "none";

    /// <summary><c>private</c> (default), <c>host</c>, or <c>container:&lt;id|name&gt;</c>.</summary>
    public string Ipc { get; set; } = "private";

    /// <summary><c>private</c> (default), <c>host</c>, or <c>container:&lt;id|name&gt;</c>.</summary>
    public string Pid { get; set; } = "private";

    /// <summary>
    /// The UTS namespace (hostname): <c>private</c> (default), <c>host</c>, <c>container:&lt;id|name&gt;</c>,
    /// or <c>ns:&lt;path&gt;</c> to join a pinned one (a CRI sandbox without a pause container). A joined
    /// namespace gets <see cref="Hostname"/> set again; with <c>host</c> the hostname is left alone.
    /// </summary>
    public string Uts { get; set; } = "private";

    /// <summary>Nameservers for /etc/resolv.conf (docker --dns); with the searches and options below they replace the default file.</summary>
    public IReadOnlyList<string> DnsServers { get; set; } = [];

    /// <summary>Search domains for /etc/resolv.conf (docker --dns-search).</summary>
    public IReadOnlyList<string> DnsSearches { get; set; } = [];

    /// <summary>Resolver options for /etc/resolv.conf, e.g. <c>ndots:5</c> (docker --dns-option).</summary>
    public IReadOnlyList<string> DnsOptions { get; set; } = [];

    /// <summary>Bind mounts as <c>host:container[:ro]</c>.</summary>
    public IReadOnlyList<string> Binds { get; set; } = [];

    /// <summary>Capabilities added to docker's default set (names with or without <c>CAP_</c>).</summary>
    public IReadOnlyList<string> CapAdd { get; set; } = [];

    /// <summary>Capabilities dropped from the default set; <c>ALL</c> drops everything.</summary>
    public IReadOnlyList<string> CapDrop { get; set; } = [];

    /// <summary>Resource limits as <c>name=soft:hard</c> (e.g. <c>nofile=1024:1024</c>); must not exceed the engine's own hard limits.</summary>
    public IReadOnlyList<string> Ulimits { get; set; } = [];

    /// <summary>Free-form labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    /// <summary>Removes the container once it exits (docker --rm).</summary>
    public bool AutoRemove { get; set; }

    /// <summary>Where the CRI log goes (a CRI client's path, e.g. under /var/log/pods); null: <c>container.log</c> in the container's folder.</summary>
    public string? LogPath { get; set; }
}
