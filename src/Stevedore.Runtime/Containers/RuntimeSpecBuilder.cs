using System.Globalization;
using System.Text.Json.Nodes;
using Stevedore.Runtime.Images;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// Builds the OCI runtime spec (<c>config.json</c>) of a container from its options and image,
/// with Docker's defaults: default capability set, masked /proc paths, /dev, /dev/pts, /dev/shm,
/// /dev/mqueue, /sys and the cgroup mount, and its own pid/ipc/uts/mount/network namespaces.
/// </summary>
public static class RuntimeSpecBuilder
{
    /// <summary>Docker's default capabilities.</summary>
    public static readonly IReadOnlyList<string> DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    private static readonly string[] MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    private static readonly string[] ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>The process arguments: docker's Entrypoint + Cmd rules.</summary>
    public static List<string> ResolveArgs(ContainerOptions options, ContainerDefaults? image)
    {
        var entrypoint = options.Entrypoint ?? image?.Entrypoint ?? [];
        IReadOnlyList<string> cmd = options.Command.Count > 0 ? options.Command : options.Entrypoint is not null ? [] : image?.Cmd ?? [];
        var args = entrypoint.Concat(cmd).ToList();
        if (args.Count == 0)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "no command specified: the image has no Entrypoint or Cmd");
        }

        return args;
    }

    /// <summary>The environment: image entries overridden by the caller's, plus PATH, HOSTNAME and TERM.</summary>
    public static List<string> ResolveEnv(ContainerOptions options, ContainerDefaults? image, string hostname)
    {
        var env = new List<(string Key, string Entry)>();
        void Set(string entry)
        {
            // An override keeps the variable's original position.
            var key = entry.Split('=', 2)[0];
            var at = env.FindIndex(e => e.Key == key);
            if (at >= 0)
            {
                env[at] = (key, entry);
            }
            else
            {
                env.Add((key, entry));
            }
        }

        Set("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        Set("HOSTNAME=" + hostname);
        foreach (var entry in image?.Env ?? [])
        {
            Set(entry);
        }

        if (options.Tty)
        {
            Set("TERM=xterm");
        }

        foreach (var entry in options.Env)
        {
            if (!entry.Contains('=', StringComparison.Ordinal))
            {
                // docker -e NAME passes the caller's value through.
                var value = Environment.GetEnvironmentVariable(entry);
                if (value is not null)
                {
                    Set(entry + "=" + value);
                }

                continue;
            }

            Set(entry);
        }

        return env.Select(e => e.Entry).ToList();
    }

    /// <summary>The final capability set after --cap-add/--cap-drop.</summary>
    public static List<string> ResolveCapabilities(IReadOnlyList<string> add, IReadOnlyList<string> drop)
    {
        static string Normalize(string cap) => cap.ToUpperInvariant().StartsWith("CAP_", StringComparison.Ordinal) ? cap.ToUpperInvariant() : "CAP_" + cap.ToUpperInvariant();
        var caps = DefaultCapabilities.ToList();
        if (drop.Any(d => d.Equals("ALL", StringComparison.OrdinalIgnoreCase)))
        {
            caps.Clear();
        }
        else
        {
            caps.RemoveAll(c => drop.Select(Normalize).Contains(c));
        }

        foreach (var cap in add)
        {
            var name = Normalize(cap);
            if (name == "CAP_ALL")
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, "--cap-add ALL is not supported; name the capabilities");
            }

            if (!caps.Contains(name))
            {
                caps.Add(name);
            }
        }

        return caps;
    }

    /// <summary>Parses <c>name=soft[:hard]</c> rlimits, refusing hard limits above <paramref name="hostHardLimits"/> (the engine cannot raise them).</summary>
    public static List<(string Type, ulong Soft, ulong Hard)> ResolveRlimits(IReadOnlyList<string> ulimits, IReadOnlyDictionary<string, ulong> hostHardLimits)
    {
        var result = new Dictionary<string, (ulong Soft, ulong Hard)>
        {
            // Within any sane host limit, and what docker's daemon typically hands out.
            ["RLIMIT_NOFILE"] = (1024, 1024),
        };
        foreach (var spec in ulimits)
        {
            var parts = spec.Split('=', 2);
            var values = parts.Length == 2 ? parts[1].Split(':') : [];
            if (parts.Length != 2 || values.Length is < 1 or > 2
                || !ulong.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft)
                || !ulong.TryParse(values[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var hard))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid ulimit \"{spec}\": expected name=soft[:hard]");
            }

            var type = "RLIMIT_" + parts[0].ToUpperInvariant();
            if (soft > hard)
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"ulimit {parts[0]}: soft limit {soft} is above hard limit {hard}");
            }

            if (hostHardLimits.TryGetValue(type, out var max) && hard > max)
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"ulimit {parts[0]}: hard limit {hard} is above the engine's own hard limit {max}");
            }

            result[type] = (soft, hard);
        }

        foreach (var (type, (soft, hard)) in result.ToList())
        {
            if (hostHardLimits.TryGetValue(type, out var max) && hard > max)
            {
                result[type] = (Math.Min(soft, max), max);
            }
        }

        return result.Select(kv => (kv.Key, kv.Value.Soft, kv.Value.Hard)).ToList();
    }

    /// <summary>Everything the spec needs beyond the options.</summary>
    public sealed record Inputs(
        string Id,
        string Hostname,
        List<string> Args,
        List<string> Env,
        string Cwd,
        uint Uid,
        uint Gid,
        IReadOnlyList<uint> AdditionalGids,
        string CgroupsPath,
        IReadOnlyDictionary<string, string?> NamespacePaths,
        IReadOnlyDictionary<string, ulong> HostHardLimits);

    /// <summary>Builds config.json. <see cref="Inputs.NamespacePaths"/> maps a namespace type to a path to join, or null to share the host's.</summary>
    public static JsonObject Build(ContainerOptions options, Inputs inputs)
    {
        var caps = ResolveCapabilities(options.CapAdd, options.CapDrop);
        var capArray = () => new JsonArray(caps.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray());
        var rlimits = new JsonArray(ResolveRlimits(options.Ulimits, inputs.HostHardLimits)
            .Select(r => (JsonNode)new JsonObject { ["type"] = r.Type, ["hard"] = r.Hard, ["soft"] = r.Soft }).ToArray());

        var namespaces = new JsonArray();
        foreach (var type in new[] { "pid", "network", "ipc", "uts", "mount" })
        {
            if (inputs.NamespacePaths.TryGetValue(type, out var path))
            {
                if (path is not null)
                {
                    namespaces.Add(new JsonObject { ["type"] = type, ["path"] = path });
                }

                // null: share the host's namespace, so no entry.
                continue;
            }

            namespaces.Add(new JsonObject { ["type"] = type });
        }

        var hostNetwork = inputs.NamespacePaths.TryGetValue("network", out var net) && net is null;
        var mounts = new JsonArray
        {
            Mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"),
            Mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"),
            Mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"),
            Mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"),
            Mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"),
            // sysfs can only be mounted fresh inside a network namespace of our own.
            hostNetwork ? Mount("/sys", "bind", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro") : Mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"),
            Mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro"),
        };
        foreach (var bind in options.Binds)
        {
            var parts = bind.Split(':');
            if (parts.Length is < 2 or > 3 || !Path.IsPathRooted(parts[0]) || !Path.IsPathRooted(parts[1]))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid bind mount \"{bind}\": expected /host/path:/container/path[:ro]");
            }

            var mode = parts.Length == 3 ? parts[2] : "rw";
            if (mode is not ("ro" or "rw"))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid bind mount mode \"{mode}\": expected ro or rw");
            }

            mounts.Add(Mount(parts[1], "bind", parts[0], "rbind", mode));
        }

        var resources = new JsonObject
        {
            ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }),
        };
        if (options.MemoryBytes > 0)
        {
            // swap == limit: no swap on top of the memory limit, so the OOM killer acts at the limit.
            resources["memory"] = new JsonObject { ["limit"] = options.MemoryBytes, ["swap"] = options.MemoryBytes };
        }

        var cpu = new JsonObject();
        if (options.Cpus > 0)
        {
            cpu["period"] = 100000;
            cpu["quota"] = (long)Math.Round(options.Cpus * 100000);
        }

        if (options.CpuShares > 0)
        {
            cpu["shares"] = options.CpuShares;
        }

        if (cpu.Count > 0)
        {
            resources["cpu"] = cpu;
        }

        if (options.PidsLimit > 0)
        {
            resources["pids"] = new JsonObject { ["limit"] = options.PidsLimit };
        }

        return new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = options.Tty,
                ["user"] = new JsonObject
                {
                    ["uid"] = inputs.Uid,
                    ["gid"] = inputs.Gid,
                    ["additionalGids"] = new JsonArray(inputs.AdditionalGids.Select(g => (JsonNode)JsonValue.Create(g)).ToArray()),
                },
                ["args"] = new JsonArray(inputs.Args.Select(a => (JsonNode)JsonValue.Create(a)!).ToArray()),
                ["env"] = new JsonArray(inputs.Env.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray()),
                ["cwd"] = inputs.Cwd,
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = capArray(),
                    ["effective"] = capArray(),
                    ["permitted"] = capArray(),
                },
                ["rlimits"] = rlimits,
                ["noNewPrivileges"] = false,
            },
            ["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = options.ReadOnlyRootfs },
            // runc refuses a hostname without a UTS namespace of the container's own or joined.
            ["hostname"] = inputs.NamespacePaths.TryGetValue("uts", out var uts) && uts is null ? null : inputs.Hostname,
            ["mounts"] = mounts,
            ["linux"] = new JsonObject
            {
                ["resources"] = resources,
                ["cgroupsPath"] = inputs.CgroupsPath,
                ["namespaces"] = namespaces,
                ["maskedPaths"] = new JsonArray(MaskedPaths.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
                ["readonlyPaths"] = new JsonArray(ReadonlyPaths.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray()),
            },
        };
    }

    private static JsonObject Mount(string destination, string type, string source, params string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = new JsonArray(options.Select(o => (JsonNode)JsonValue.Create(o)!).ToArray()),
    };
}
