using System.Diagnostics;
using PodsBench.Infrastructure;

namespace PodsBench.Peers;

/// <summary>
/// Debian's podman running the same pod YAML with <c>podman kube play</c> (runc, cgroupfs), with storage,
/// run state, temp files and network configuration in a temp folder (<c>CONTAINERS_CONF</c> points at a
/// containers.conf of its own), so the machine's podman setup is untouched. The images come from the
/// project's OCI layouts (nothing is pulled from a registry). Pods join an internal bridge network of
/// their own (no masquerade, no DNS server) — the counterpart of the agent's CNI bridge. A pod counts as
/// running when <c>podman kube play</c> returns: it returns once the pod's containers are started.
/// </summary>
public sealed class PodmanPeer : IPodPeer
{
    private const string Network = "pods-bench";
    private readonly string _work = TempDirectory.Create("pods-podman");
    private readonly string _bridge = "stvpm" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];
    private readonly string _manifest = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "pod.yaml"));
    private readonly TestImages _images;
    private readonly Dictionary<string, string> _environment;
    private readonly List<string> _leftovers = [];
    private bool _hasPods;

    public PodmanPeer(TestImages images)
    {
        _images = images;
        _environment = new Dictionary<string, string> { ["CONTAINERS_CONF"] = Path.Combine(_work, "containers.conf") };
    }

    public string Name => "podman kube play";

    public IReadOnlyList<string> Leftovers => _leftovers;

    private string[] Global => ["--root", Path.Combine(_work, "root"), "--runroot", Path.Combine(_work, "run"), "--storage-driver", "overlay"];

    public async Task StartAsync(bool forPods, CancellationToken cancellationToken)
    {
        Progress.Write($"{Name}: bridge {_bridge}, folder {_work}");
        var networks = Directory.CreateDirectory(Path.Combine(_work, "networks")).FullName;
        Directory.CreateDirectory(Path.Combine(_work, "tmp"));
        Directory.CreateDirectory(Path.Combine(_work, "pods"));
        // This host allows containers only limited rlimits: podman's defaults (from the host's hard limits) are refused.
        await File.WriteAllTextAsync(Path.Combine(_work, "containers.conf"), $"""
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "none"
            tmp_dir = "{Path.Combine(_work, "tmp")}"
            [network]
            network_backend = "netavark"
            network_config_dir = "{networks}"
            """, cancellationToken);
        // Written by hand, not `podman network create`: podman 4.3 cannot name the bridge, and turns DNS on.
        var subnet = $"10.{Random.Shared.Next(150, 200)}.{Random.Shared.Next(0, 250)}";
        var id = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        await File.WriteAllTextAsync(Path.Combine(networks, Network + ".json"), $$$"""
            {"name":"{{{Network}}}","id":"{{{id}}}",
             "driver":"bridge","network_interface":"{{{_bridge}}}","created":"2024-01-01T00:00:00Z",
             "subnets":[{"subnet":"{{{subnet}}}.0/24","gateway":"{{{subnet}}}.1"}],
             "ipv6_enabled":false,"internal":true,"dns_enabled":false,"ipam_options":{"driver":"host-local"}}
            """, cancellationToken);

        // From the project's OCI layout (tag 1.36 there), named as in the YAML. The pods' infra container is
        // podman's own podman-pause image, which it builds locally from catatonit.
        var imageId = (await PodmanAsync(["pull", "-q", $"oci:{_images.Layout("busybox")}:1.36"], cancellationToken)).Trim();
        await PodmanAsync(["tag", imageId, "docker.io/library/busybox:1.36"], cancellationToken);
    }

    public async Task<double?> CreateOneAsync(string name, CancellationToken cancellationToken)
    {
        var file = await WriteManifestAsync(name, cancellationToken);
        var start = Stopwatch.GetTimestamp();
        return await PlayAsync(file, cancellationToken) ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : null;
    }

    public async Task<double?> CreateManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        foreach (var name in names)
        {
            files.Add(await WriteManifestAsync(name, cancellationToken));
        }

        // One `podman kube play` per pod, all at once, as the API gets one create per pod.
        var start = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(files.Select(f => PlayAsync(f, cancellationToken)));
        return results.All(ok => ok) ? Stopwatch.GetElapsedTime(start).TotalMilliseconds : null;
    }

    public async Task RemoveAllAsync(CancellationToken cancellationToken)
    {
        if (_hasPods)
        {
            // Not timed: kill at once (with a grace period podman stops the pods one after the other, minutes for 110).
            await PodmanAsync(["pod", "rm", "--force", "--all", "--time", "0"], cancellationToken);
            _hasPods = false;
        }
    }

    public double HelperResidentMegabytes() =>
        // A conmon per container; each names the container's folder under the run root.
        ProcessStats.WithCommandLineContaining(Path.Combine(_work, "run"), new HashSet<int> { Environment.ProcessId })
            .Where(pid => File.ReadAllText($"/proc/{pid}/comm").Trim() == "conmon")
            .Sum(ProcessStats.ResidentMegabytes);

    public Task<IdleSample?> MeasureIdleAsync(TimeSpan window, CancellationToken cancellationToken) => Task.FromResult<IdleSample?>(null);

    public async ValueTask DisposeAsync()
    {
        try
        {
            var left = (await Shell.TryRunAsync("podman", [.. Global, "ps", "-a", "-q"], _environment)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (left.Length > 0)
            {
                _leftovers.Add($"{left.Length} podman containers");
                await Shell.TryRunAsync("podman", [.. Global, "pod", "rm", "--force", "--all", "--time", "0"], _environment);
            }

            await Shell.TryRunAsync("podman", [.. Global, "rmi", "--all", "--force"], _environment);
        }
        finally
        {
            if (Directory.Exists("/sys/class/net/" + _bridge))
            {
                _leftovers.Add("bridge " + _bridge);
                await Shell.TryRunAsync("ip", ["link", "delete", _bridge]);
            }

            await TempDirectory.DeleteAsync(_work);
        }
    }

    private async Task<string> WriteManifestAsync(string name, CancellationToken cancellationToken)
    {
        var file = Path.Combine(_work, "pods", name + ".yaml");
        await File.WriteAllTextAsync(file, _manifest.Replace("name: NAME", "name: " + name, StringComparison.Ordinal), cancellationToken);
        return file;
    }

    private async Task<bool> PlayAsync(string file, CancellationToken cancellationToken)
    {
        _hasPods = true;
        var result = await Shell.TryRunAsync("podman", [.. Global, "kube", "play", "--network", Network, file], _environment, cancellationToken);
        if (!result.Ok)
        {
            Progress.Write($"podman kube play {Path.GetFileName(file)} failed: {result.Stderr.Trim()}");
        }

        return result.Ok;
    }

    private async Task<string> PodmanAsync(string[] arguments, CancellationToken cancellationToken) =>
        await Shell.RunAsync("podman", [.. Global, .. arguments], _environment, cancellationToken);
}
