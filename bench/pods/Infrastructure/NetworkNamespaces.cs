namespace PodsBench.Infrastructure;

/// <summary>
/// The pinned network namespaces in <c>/run/netns</c> (where the engine, containerd's CNI and podman pin
/// pod namespaces), to find the ones a run left behind: made during the run, still there, no process in them.
/// </summary>
public static class NetworkNamespaces
{
    private const string Dir = "/run/netns";

    public static HashSet<string> List() =>
        Directory.Exists(Dir) ? [.. Directory.GetFiles(Dir).Select(Path.GetFileName).OfType<string>()] : [];

    /// <summary>Namespaces not in <paramref name="before"/> that no process uses.</summary>
    public static async Task<IReadOnlyList<string>> EmptySinceAsync(IReadOnlySet<string> before)
    {
        var empty = new List<string>();
        foreach (var name in List().Where(n => !before.Contains(n)))
        {
            var pids = await Shell.TryRunAsync("ip", ["netns", "pids", name]);
            if (pids.Ok && string.IsNullOrWhiteSpace(pids.Stdout))
            {
                empty.Add(name);
            }
        }

        return empty;
    }
}
