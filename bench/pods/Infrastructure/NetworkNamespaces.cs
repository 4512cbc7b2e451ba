namespace PodsBench.Infrastructure;

/// <summary>
/// The pinned network namespaces in <c>/run/netns</c> (where the engine, containerd's CNI and podman pin
/// pod namespaces), to find the ones a run left behind: made during the run, still there, no process in them.
/// </summary>
public static class NetworkNamespaces
{
    private const string Dir = "/run/netns";

    /// <summary>Where the engine pins the IPC and UTS namespaces of sandboxes without a pause container.</summary>
    private const string PodNamespaceDir = "/run/stevedore/podns";

    /// <summary>The engine's pinned IPC/UTS namespaces (<c>ipc-&lt;uuid&gt;</c>, <c>uts-&lt;uuid&gt;</c>).</summary>
    public static HashSet<string> ListPodNamespaces() =>
        Directory.Exists(PodNamespaceDir) ? [.. Directory.GetFiles(PodNamespaceDir)] : [];

    /// <summary>
    /// Pinned IPC/UTS namespaces not in <paramref name="before"/> whose pod's network namespace (<c>cni-&lt;same uuid&gt;</c>)
    /// is gone or among <paramref name="emptyNamespaces"/>: another runtime's running pods keep theirs, with processes in it.
    /// </summary>
    public static IEnumerable<string> PodNamespacesLeftSince(IReadOnlySet<string> before, IReadOnlyList<string> emptyNamespaces) =>
        ListPodNamespaces().Where(path => !before.Contains(path)).Where(path =>
        {
            var netns = "cni-" + Path.GetFileName(path)[4..];
            return !File.Exists(Path.Combine(Dir, netns)) || emptyNamespaces.Contains(netns);
        });

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
