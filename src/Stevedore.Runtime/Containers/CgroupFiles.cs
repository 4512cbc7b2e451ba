using System.Globalization;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// Reads a container's cgroup files for stats and OOM kills, on cgroup v1 (one hierarchy per
/// controller, as on this hybrid host) and on the unified v2 hierarchy.
/// </summary>
public sealed class CgroupFiles(string cgroupsPath, string mountRoot = "/sys/fs/cgroup")
{
    /// <summary>Whether the host runs only the unified hierarchy.</summary>
    public bool IsUnified => File.Exists(Path.Combine(mountRoot, "cgroup.controllers"));

    private string V1(string controller, string file) => Path.Combine(mountRoot, controller, cgroupsPath.TrimStart('/'), file);

    private string V2(string file) => Path.Combine(mountRoot, cgroupsPath.TrimStart('/'), file);

    /// <summary>How many processes the kernel OOM killer has killed in this cgroup.</summary>
    public long OomKills() =>
        IsUnified
            ? KeyedValue(Read(V2("memory.events")), "oom_kill")
            : KeyedValue(Read(V1("memory", "memory.oom_control")), "oom_kill");

    /// <summary>A point-in-time usage sample.</summary>
    public ContainerStats Sample(string id, DateTimeOffset now)
    {
        if (IsUnified)
        {
            return new ContainerStats(
                id,
                now,
                KeyedValue(Read(V2("cpu.stat")), "usage_usec") * 1000,
                Number(Read(V2("memory.current"))),
                LimitOrZero(Read(V2("memory.max"))),
                Number(Read(V2("pids.current"))));
        }

        var limit = Number(Read(V1("memory", "memory.limit_in_bytes")));
        return new ContainerStats(
            id,
            now,
            Number(Read(V1("cpuacct", "cpuacct.usage"))),
            Number(Read(V1("memory", "memory.usage_in_bytes"))),
            // v1 reports "unlimited" as a huge page-aligned number.
            limit >= long.MaxValue / 2 ? 0 : limit,
            Number(Read(V1("pids", "pids.current"))));
    }

    /// <summary>The value of <c>key value</c> lines such as memory.events or memory.oom_control; 0 when absent.</summary>
    public static long KeyedValue(string? text, string key)
    {
        foreach (var line in (text ?? "").Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0] == key && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }

        return 0;
    }

    private static long Number(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static long LimitOrZero(string? text) => text?.Trim() == "max" ? 0 : Number(text);

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
