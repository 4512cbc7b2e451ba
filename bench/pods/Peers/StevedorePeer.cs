using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using PodsBench.Infrastructure;

namespace PodsBench.Peers;

/// <summary>
/// The published <c>stevedore server</c> with its node agent: real runc pods through the built-in engine's
/// CRI server, or through Debian's containerd (<c>--container-runtime-endpoint</c>). Everything lives in a
/// temp folder and a pod network of its own (bridge, cluster CIDR, conflist folder, kubelet port), so another
/// Stevedore node on the machine is not disturbed. Pods are created through the API and seen running
/// through a watch, as a client sees them.
/// </summary>
public sealed class StevedorePeer(BenchSettings settings, TestImages images, bool onContainerd) : IPodPeer
{
    public const string Namespace = "pods-bench";
    private const string NodeName = "pods-bench";
    private static readonly TimeSpan RunningTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan GoneTimeout = TimeSpan.FromMinutes(4);

    private readonly string _work = TempDirectory.Create(onContainerd ? "pods-containerd" : "pods-stevedore");
    private readonly NodeNetwork _network = NodeNetwork.CreateUnique("stvpb");
    private readonly HashSet<string> _created = [];
    private readonly List<double[]> _steps = [];
    private readonly List<string> _leftovers = [];
    private readonly string _manifest = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "pod.yaml"));
    private ContainerdProcess? _containerd;
    private StevedoreProcess? _server;
    private StevedoreProcess? _agent;
    private ApiClient? _api;
    private PodWatch? _watch;

    public string Name => onContainerd ? "stevedore on containerd" : "stevedore";

    public IReadOnlyList<string> Leftovers => _leftovers;

    private string EngineDir => Path.Combine(_work, "engine");

    private string CniConfDir => Path.Combine(_work, "cni");

    public async Task StartAsync(bool forPods, CancellationToken cancellationToken)
    {
        Progress.Write($"{Name}: bridge {_network.Bridge}, cluster CIDR {_network.ClusterCidr}, folder {_work}");
        if (onContainerd)
        {
            _containerd = await ContainerdProcess.StartAsync(Path.Combine(_work, "containerd"), CniConfDir, images, cancellationToken);
        }

        if (!forPods)
        {
            // The idle measurement starts its own server and agent.
            return;
        }

        if (!onContainerd)
        {
            foreach (var image in new[] { "pause", "busybox" })
            {
                await Shell.RunAsync(settings.Binary, ["engine", "--data-dir", EngineDir, "import", images.OciTar(image)], cancellationToken: cancellationToken);
            }
        }

        var serverDir = Path.Combine(_work, "server");
        _server = StevedoreProcess.Start(settings.Binary, serverDir, ["server", "--data-dir", serverDir, "--listen", $"127.0.0.1:{FreePort.Next()}", .. NodeArguments("cri.sock")]);
        _api = await WaitForApiAsync(_server, serverDir, cancellationToken);
        await WaitForNodeAsync(_api, _server, cancellationToken);
        await _api.PostJsonAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Namespace}}}"}}""", cancellationToken);
        // Pods need the namespace's default ServiceAccount (admission) and kube-root-ca.crt (their token volume).
        await WaitUntilAsync(async () => await _api.GetAsync($"/api/v1/namespaces/{Namespace}/serviceaccounts/default", cancellationToken) is not null
            && await _api.GetAsync($"/api/v1/namespaces/{Namespace}/configmaps/kube-root-ca.crt", cancellationToken) is not null, "the namespace's default ServiceAccount and kube-root-ca.crt", _server, cancellationToken);
        _watch = await PodWatch.StartAsync(_api, Namespace, cancellationToken);
    }

    public async Task<double?> CreateOneAsync(string name, CancellationToken cancellationToken)
    {
        var running = _watch!.RunningAsync(name);
        var start = Stopwatch.GetTimestamp();
        await CreateAsync(name, cancellationToken);
        var created = Stopwatch.GetTimestamp();
        var elapsed = await ElapsedUntilAsync(running, start, cancellationToken);
        if (elapsed is not null)
        {
            var seen = _watch.Milestones(name);
            _steps.Add([.. new[] { created, seen.Bound, seen.Reported, seen.Running }.Select(t => t == 0 ? double.NaN : Stopwatch.GetElapsedTime(start, t).TotalMilliseconds)]);
        }

        return elapsed;
    }

    public string? StepSummary()
    {
        if (_steps.Count == 0)
        {
            return null;
        }

        string[] names = ["POST answered", "bound (watch)", "agent's first status (watch)", "Running (watch)"];
        var parts = names.Select((step, i) =>
        {
            var values = _steps.Select(s => s[i]).Where(v => !double.IsNaN(v)).ToList();
            return values.Count == 0 ? $"{step} –" : $"{step} {Measurement.Percentiles.Of(values, 50):0}/{Measurement.Percentiles.Of(values, 90):0}";
        });
        var summary = $"since the POST, p50/p90 ms over {_steps.Count} pods: {string.Join(", ", parts)}";
        _steps.Clear();
        return summary;
    }

    public async Task<double?> CreateManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var running = names.Select(_watch!.RunningAsync).ToList();
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(names.Select(name => CreateAsync(name, cancellationToken)));
        var times = await Task.WhenAll(running.Select(r => ElapsedUntilAsync(r, start, cancellationToken)));
        return times.Any(t => t is null) ? null : times.Max();
    }

    public async Task RemoveAllAsync(CancellationToken cancellationToken)
    {
        List<string> names;
        lock (_created)
        {
            names = [.. _created];
        }

        var gone = names.Select(_watch!.DeletedAsync).ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (name, ct) => await _api!.DeleteAsync($"/api/v1/namespaces/{Namespace}/pods/{name}", ct));
        try
        {
            await Task.WhenAll(gone).WaitAsync(GoneTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{Name}: {gone.Count(g => !g.IsCompleted)} pods still there {GoneTimeout.TotalMinutes} min after their deletion");
        }

        foreach (var name in names)
        {
            _watch.Forget(name);
        }

        lock (_created)
        {
            _created.Clear();
        }
    }

    public double HelperResidentMegabytes()
    {
        // Engine: a shim per container and the `runc run` under it (both name the engine's folder).
        // containerd: a containerd-shim-runc-v2 per pod (it names containerd's socket).
        var marker = _containerd?.SocketPath ?? EngineDir;
        return ProcessStats.WithCommandLineContaining(marker, new HashSet<int> { _server!.Pid, Environment.ProcessId }).Sum(ProcessStats.ResidentMegabytes);
    }

    public async Task<IdleSample?> MeasureIdleAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        // The agent alone: a control-plane-only server, and `stevedore agent` joining it. It joins with the
        // server's kubeconfig: joining with the token fails today (the server's TLS handshake does not carry
        // the CA the token pins), and the credential makes no difference to an idle agent.
        await StopClusterAsync();
        var serverDir = Path.Combine(_work, "idle-server");
        _server = StevedoreProcess.Start(settings.Binary, serverDir, ["server", "--data-dir", serverDir, "--listen", $"127.0.0.1:{FreePort.Next()}", "--disable-agent"]);
        _api = await WaitForApiAsync(_server, serverDir, cancellationToken);
        var agentDir = Path.Combine(_work, "idle-agent");
        _agent = StevedoreProcess.Start(settings.Binary, agentDir,
            ["agent", "--kubeconfig", Path.Combine(serverDir, "kubeconfig.yaml"), "--data-dir", agentDir, .. NodeArguments("cri-idle.sock")]);
        await WaitForNodeAsync(_api, _agent, cancellationToken);

        // Let start-up work (JIT, first GCs, the first node status round) settle before watching.
        await Task.Delay(settings.Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(15), cancellationToken);
        var rss = new List<double>();
        var cpuBefore = ProcessStats.CpuSeconds(_agent.Pid);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            rss.Add(ProcessStats.ResidentMegabytes(_agent.Pid));
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var cpuPercent = (ProcessStats.CpuSeconds(_agent.Pid) - cpuBefore) / clock.Elapsed.TotalSeconds * 100;
        _agent.ThrowIfExited("stevedore agent");
        return new IdleSample(Measurement.Percentiles.Median(rss), cpuPercent, _containerd is null ? null : ProcessStats.ResidentMegabytes(_containerd.Pid));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopClusterAsync();
            await CheckLeftoversAsync();
        }
        finally
        {
            if (_containerd is not null)
            {
                await _containerd.DisposeAsync();
            }

            KeepLogs();
            await ReleaseNodeStateAsync();
            await _network.CleanupAsync();
            if (_network.BridgeExists || await _network.GuardExistsAsync())
            {
                _leftovers.Add($"bridge {_network.Bridge} or nft table {_network.GuardTable} could not be removed");
            }

            await TempDirectory.DeleteAsync(_work);
        }
    }

    /// <summary>
    /// The node-wide state an agent keeps after it stops (the service proxy's nft table, the cluster DNS link, the
    /// pod namespace folder's shared mount) goes with `stevedore agent --cleanup` for this peer's network, but only
    /// when no other Stevedore server or agent runs on the machine: they share that state.
    /// </summary>
    private async Task ReleaseNodeStateAsync()
    {
        if (OtherStevedoreNodes().Take(1).ToList() is [var other])
        {
            Progress.Write($"{Name}: the proxy table and pod namespace mount stay (pid {other} is a Stevedore server or agent too)");
            return;
        }

        await Shell.TryRunAsync(settings.Binary, ["agent", "--cleanup", "--data-dir", Path.Combine(_work, "cleanup"),
            "--cni-bridge", _network.Bridge, "--cni-conf-dir", CniConfDir]);
    }

    /// <summary>Running `stevedore server` or `stevedore agent` processes (any binary, any user), by pid.</summary>
    private static IEnumerable<int> OtherStevedoreNodes()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string[] arguments;
            try
            {
                arguments = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
            }
            catch (IOException)
            {
                continue;
            }

            if (arguments is [var program, "server" or "agent", ..] && Path.GetFileName(program) == "stevedore")
            {
                yield return pid;
            }
        }
    }

    /// <summary>With --keep-logs: the server's (agent's) and containerd's logs are copied out before the folder goes.</summary>
    private void KeepLogs()
    {
        if (settings.KeepLogs is not { } keep)
        {
            return;
        }

        var target = Path.Combine(keep, $"{(onContainerd ? "containerd" : "stevedore")}-{DateTime.UtcNow:HHmmss}");
        Directory.CreateDirectory(target);
        foreach (var log in new[] { "server/stevedore.log", "containerd/containerd.log", "idle-server/stevedore.log", "idle-agent/stevedore.log" })
        {
            var source = Path.Combine(_work, log);
            if (File.Exists(source))
            {
                File.Copy(source, Path.Combine(target, log.Replace('/', '-')), overwrite: true);
            }
        }

        Progress.Write($"{Name}: logs kept in {target}");
    }

    private string[] NodeArguments(string criSocket) =>
    [
        "--node-name", NodeName,
        "--engine-data-dir", EngineDir,
        "--cri-socket", Path.Combine(_work, criSocket),
        "--cluster-cidr", _network.ClusterCidr,
        "--cni-bridge", _network.Bridge,
        "--cni-conf-dir", CniConfDir,
        "--kubelet-port", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        .. (_containerd is null ? Array.Empty<string>() : new[] { "--container-runtime-endpoint", _containerd.Endpoint }),
    ];

    private async Task CreateAsync(string name, CancellationToken cancellationToken)
    {
        lock (_created)
        {
            _created.Add(name);
        }

        await _api!.PostYamlAsync($"/api/v1/namespaces/{Namespace}/pods", _manifest.Replace("name: NAME", "name: " + name, StringComparison.Ordinal), cancellationToken);
    }

    private static async Task<double?> ElapsedUntilAsync(Task<long> arrival, long start, CancellationToken cancellationToken)
    {
        try
        {
            return Stopwatch.GetElapsedTime(start, await arrival.WaitAsync(RunningTimeout, cancellationToken)).TotalMilliseconds;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private async Task StopClusterAsync()
    {
        if (_watch is not null)
        {
            await _watch.DisposeAsync();
            _watch = null;
        }

        _api?.Dispose();
        _api = null;
        foreach (var process in new[] { _agent, _server })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        _agent = _server = null;
    }

    /// <summary>Once the pods are deleted nothing of theirs may remain: containers and sandboxes in the runtime, log folders, pod folders.</summary>
    private async Task CheckLeftoversAsync()
    {
        if (_containerd is not null)
        {
            if (await _containerd.ContainersAsync() is { Count: > 0 } containers)
            {
                _leftovers.Add($"{containers.Count} containerd containers");
            }
        }
        else if (Directory.Exists(EngineDir))
        {
            var ids = (await Shell.RunAsync(settings.Binary, ["engine", "--data-dir", EngineDir, "ps", "-a", "-q"])).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 0)
            {
                _leftovers.Add($"{ids.Length} engine containers (sandboxes included)");
                await Shell.TryRunAsync(settings.Binary, ["engine", "--data-dir", EngineDir, "rm", "-f", .. ids]);
            }
        }

        foreach (var logs in Directory.Exists("/var/log/pods") ? Directory.GetDirectories("/var/log/pods", Namespace + "_*") : [])
        {
            _leftovers.Add("log folder " + logs);
            Directory.Delete(logs, recursive: true);
        }

        foreach (var agentDir in new[] { "server/agent", "idle-agent" }.Select(d => Path.Combine(_work, d, "pods")).Where(Directory.Exists))
        {
            if (Directory.GetDirectories(agentDir) is { Length: > 0 } pods)
            {
                _leftovers.Add($"{pods.Length} pod folders in {agentDir}");
            }
        }
    }

    private static async Task<ApiClient> WaitForApiAsync(StevedoreProcess server, string dataDir, CancellationToken cancellationToken)
    {
        var kubeconfig = Path.Combine(dataDir, "kubeconfig.yaml");
        ApiClient? api = null;
        await WaitUntilAsync(async () =>
        {
            if (api is null && File.Exists(kubeconfig))
            {
                api = new ApiClient(kubeconfig);
            }

            if (api is null)
            {
                return false;
            }

            try
            {
                using var response = await api.Requests.GetAsync("/readyz", cancellationToken);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the API server", server, cancellationToken);
        return api!;
    }

    private async Task WaitForNodeAsync(ApiClient api, StevedoreProcess agent, CancellationToken cancellationToken) =>
        await WaitUntilAsync(async () =>
        {
            var node = await api.GetAsync($"/api/v1/nodes/{NodeName}", cancellationToken);
            var ready = node?["status"]?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true;
            // Pods wait for the network: the agent writes the conflist once the node has its pod CIDR.
            return ready && File.Exists(Path.Combine(CniConfDir, "10-stevedore.conflist"));
        }, $"node {NodeName} Ready with its pod network", agent, cancellationToken);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, StevedoreProcess process, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            process.ThrowIfExited("stevedore");
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new InvalidOperationException($"timed out waiting for {what}:\n{process.LogTail()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
