using k8s.Models;

namespace Stevedore.Kubelet.Logs;

/// <summary>When a container's log is rotated and how many files of it are kept (kubelet's containerLogMaxSize / containerLogMaxFiles).</summary>
public sealed record ContainerLogPolicy
{
    /// <summary>Upstream's default containerLogMaxSize, 10Mi.</summary>
    public const long DefaultMaxSize = 10 * 1024 * 1024;

    /// <summary>Upstream's default containerLogMaxFiles.</summary>
    public const int DefaultMaxFiles = 5;

    /// <summary>A log this large or larger is rotated.</summary>
    public long MaxSize { get; init; } = DefaultMaxSize;

    /// <summary>The most files of one container's log, the current one included; at least 2.</summary>
    public int MaxFiles { get; init; } = DefaultMaxFiles;

    /// <summary>How often every running container's log is looked at (upstream: 10 s).</summary>
    public TimeSpan MonitorInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A policy from the flag values: <paramref name="maxSize"/> a Kubernetes quantity (<c>10Mi</c>, <c>500k</c>,
    /// <c>1048576</c>) above zero, <paramref name="maxFiles"/> at least 2. Null and the problem when they are not.
    /// </summary>
    public static ContainerLogPolicy? TryParse(string maxSize, int maxFiles, out string? problem)
    {
        long bytes;
        try
        {
            bytes = new ResourceQuantity(maxSize).ToInt64();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            problem = $"--container-log-max-size {maxSize}: expected a quantity such as 10Mi, 500Ki or 1048576";
            return null;
        }

        if (bytes <= 0)
        {
            problem = $"--container-log-max-size {maxSize}: must be more than 0";
            return null;
        }

        if (maxFiles < 2)
        {
            problem = $"--container-log-max-files {maxFiles}: must be at least 2 (the current file and one rotated)";
            return null;
        }

        problem = null;
        return new ContainerLogPolicy { MaxSize = bytes, MaxFiles = maxFiles };
    }
}
