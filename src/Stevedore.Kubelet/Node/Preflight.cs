namespace Stevedore.Kubelet.Node;

/// <summary>What the node agent needs from its machine, as read from it.</summary>
public sealed record HostFacts
{
    public bool IsRoot { get; init; }

    /// <summary>/proc/filesystems lists overlay (or the module file exists and can be loaded on mount).</summary>
    public bool HasOverlayfs { get; init; }

    /// <summary>The path of runc, or null when it is not on PATH.</summary>
    public string? RuncPath { get; init; }

    /// <summary>"cgroup2" for the unified hierarchy, "tmpfs" for v1/hybrid, else what /sys/fs/cgroup is.</summary>
    public string CgroupFilesystem { get; init; } = "";

    /// <summary>Controllers available: v2 from cgroup.controllers, v1 from the mounted hierarchies.</summary>
    public IReadOnlySet<string> CgroupControllers { get; init; } = new HashSet<string>();
}

/// <summary>One thing that stops the agent from running pods, with how to fix it.</summary>
public sealed record PreflightProblem(string What, string Fix);

/// <summary>Checks that say exactly what is wrong on a machine before the agent tries to run pods.</summary>
public static class Preflight
{
    /// <summary>The cgroup controllers pods' limits need.</summary>
    public static readonly string[] RequiredControllers = ["cpu", "memory", "pids"];

    /// <summary>Every problem found (empty when the machine can run pods).</summary>
    public static IReadOnlyList<PreflightProblem> Check(HostFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var problems = new List<PreflightProblem>();
        if (!facts.IsRoot)
        {
            problems.Add(new PreflightProblem(
                "not running as root: containers need mounts, namespaces and cgroups",
                "run it as root, e.g. sudo stevedore ..."));
        }

        if (!facts.HasOverlayfs)
        {
            problems.Add(new PreflightProblem(
                "the kernel has no overlay filesystem (not in /proc/filesystems)",
                "load it with: modprobe overlay (and add 'overlay' to /etc/modules-load.d/stevedore.conf)"));
        }

        if (facts.RuncPath is null)
        {
            problems.Add(new PreflightProblem(
                "runc was not found on PATH",
                "install it: apt-get install runc"));
        }

        if (facts.CgroupFilesystem is not ("cgroup2" or "tmpfs"))
        {
            problems.Add(new PreflightProblem(
                $"/sys/fs/cgroup is not a cgroup hierarchy (found '{(facts.CgroupFilesystem.Length == 0 ? "nothing" : facts.CgroupFilesystem)}')",
                "mount cgroup2 on /sys/fs/cgroup (systemd does this at boot), or run the agent where cgroups are available (a privileged container needs --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup)"));
        }
        else
        {
            var missing = RequiredControllers.Where(c => !facts.CgroupControllers.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                problems.Add(new PreflightProblem(
                    $"cgroup controller(s) {string.Join(", ", missing)} not available ({(facts.CgroupFilesystem == "cgroup2" ? "cgroup v2" : "cgroup v1")})",
                    facts.CgroupFilesystem == "cgroup2"
                        ? "enable them for child groups: echo '+cpu +memory +pids' > /sys/fs/cgroup/cgroup.subtree_control (or boot with systemd.unified_cgroup_hierarchy=1 and cgroup_enable=memory)"
                        : "mount them under /sys/fs/cgroup/<name> (boot with cgroup_enable=memory swapaccount=1 if memory is missing)"));
            }
        }

        return problems;
    }

    /// <summary>Reads the facts of this machine (nothing is changed).</summary>
    public static HostFacts ReadHost()
    {
        var cgroupFs = FilesystemOf("/sys/fs/cgroup");
        var controllers = new HashSet<string>(StringComparer.Ordinal);
        if (cgroupFs == "cgroup2")
        {
            foreach (var controller in ReadText("/sys/fs/cgroup/cgroup.controllers").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                controllers.Add(controller);
            }
        }
        else if (Directory.Exists("/sys/fs/cgroup"))
        {
            foreach (var dir in Directory.EnumerateDirectories("/sys/fs/cgroup"))
            {
                foreach (var name in Path.GetFileName(dir).Split(','))
                {
                    controllers.Add(name);
                }
            }
        }

        var filesystems = ReadText("/proc/filesystems");
        return new HostFacts
        {
            IsRoot = Environment.UserName == "root",
            HasOverlayfs = filesystems.Split('\n').Any(l => l.Trim().EndsWith("overlay", StringComparison.Ordinal))
                || File.Exists($"/lib/modules/{ReadText("/proc/sys/kernel/osrelease").Trim()}/kernel/fs/overlayfs/overlay.ko"),
            RuncPath = FindOnPath("runc"),
            CgroupFilesystem = cgroupFs,
            CgroupControllers = controllers,
        };
    }

    private static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/usr/bin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The filesystem type mounted exactly at <paramref name="mountPoint"/>, from /proc/self/mounts.</summary>
    private static string FilesystemOf(string mountPoint)
    {
        var type = "";
        foreach (var line in ReadText("/proc/self/mounts").Split('\n'))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[1] == mountPoint)
            {
                type = fields[2];
            }
        }

        return type;
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
