namespace PodsBench.Infrastructure;

/// <summary>Fresh folders under the system temp folder, named so a leftover is easy to recognise.</summary>
public static class TempDirectory
{
    public static string Create(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"stevedore-bench-{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Unmounts whatever is still mounted below <paramref name="path"/> (deepest first), then deletes it.</summary>
    public static async Task DeleteAsync(string path)
    {
        var mounts = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1].Replace("\\040", " "))
            .Where(m => m == path || m.StartsWith(path + "/", StringComparison.Ordinal)).Reverse().ToList();
        foreach (var mount in mounts)
        {
            await Shell.TryRunAsync("umount", ["-l", mount]);
        }

        if (Directory.Exists(path))
        {
            // Overlay work dirs and read-only files from images: rm copes with them where Directory.Delete may not.
            await Shell.TryRunAsync("rm", ["-rf", "--one-file-system", path]);
        }
    }
}
