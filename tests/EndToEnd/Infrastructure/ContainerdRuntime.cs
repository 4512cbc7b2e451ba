using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace EndToEnd.Infrastructure;

/// <summary>
/// Debian's containerd (1.6) as the agent's CRI runtime: started with a config of its own (root, state and socket
/// under the run's folder), its CRI plugin reading the conflist the agent writes (<see cref="AgentMachine.ConfDir"/>)
/// and the CNI plugins from <c>/usr/lib/cni</c>; the test images imported with <c>ctr images import</c> (so nothing is
/// pulled). Take the <see cref="AgentMachine"/> first: the conflist folder and the bridge are the machine's.
/// <see cref="StopAsync"/> kills containerd and its shims, removes the runc state of its containers, unmounts what it
/// mounted under the folder and removes the directories it made outside it.
/// </summary>
public sealed class ContainerdRuntime
{
    private const string Binary = "/usr/bin/containerd";
    private const string RuncRoot = "/run/containerd/runc/k8s.io";
    private readonly string _dir;
    private readonly string[] _createdOutside;
    private Process? _process;

    private ContainerdRuntime(string dir, string[] createdOutside)
    {
        _dir = dir;
        _createdOutside = createdOutside;
    }

    public string SocketPath => Path.Combine(_dir, "containerd.sock");

    /// <summary>What to pass as <c>--container-runtime-endpoint</c>.</summary>
    public string Endpoint => "unix://" + SocketPath;

    public string LogPath => Path.Combine(_dir, "containerd.log");

    /// <summary>containerd's own log (for failure messages).</summary>
    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : "";

    /// <summary>Starts containerd in <c><paramref name="root"/>/containerd</c> and imports busybox and pause.</summary>
    public static async Task<ContainerdRuntime> StartAsync(string root)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException("containerd is not installed (apt-get install containerd)");
        }

        // containerd makes these outside its root (shim sockets, runc state, the pods' cgroup parent); only the ones that
        // were not there before go afterwards, and only when empty.
        string[] outside = [.. new[] { "/run/containerd/s", "/run/containerd/fifo", RuncRoot, "/run/containerd/runc", "/run/containerd" }
            .Concat(Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup").Select(c => Path.Combine(c, "k8s.io")) : [])
            .Where(d => !Directory.Exists(d))];
        var runtime = new ContainerdRuntime(Directory.CreateDirectory(Path.Combine(root, "containerd")).FullName, outside);
        try
        {
            await runtime.StartProcessAsync();
            foreach (var image in new[] { "pause", "busybox" })
            {
                var import = await ProcessRunner.RunAsync("/usr/bin/ctr", ["-a", runtime.SocketPath, "-n", "k8s.io", "images", "import", Path.Combine(TestImages.Dir, image + ".oci.tar")],
                    timeout: TimeSpan.FromSeconds(120));
                if (import.ExitCode != 0)
                {
                    throw new InvalidOperationException($"ctr images import {image} failed ({import.ExitCode}): {import.Combined}");
                }
            }

            return runtime;
        }
        catch
        {
            await runtime.StopAsync();
            throw;
        }
    }

    private async Task StartProcessAsync()
    {
        var config = Path.Combine(_dir, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{Path.Combine(_dir, "root")}"
            state = "{Path.Combine(_dir, "state")}"
            [grpc]
              address = "{SocketPath}"
            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "registry.k8s.io/pause:3.9"
              # Lowering oom_score_adj (the sandbox gets -998) needs CAP_SYS_RESOURCE, which this host withholds.
              restrict_oom_score_adj = true
              [plugins."io.containerd.grpc.v1.cri".containerd]
                snapshotter = "overlayfs"
                default_runtime_name = "runc"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                  runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".cni]
                bin_dir = "/usr/lib/cni"
                conf_dir = "{AgentMachine.ConfDir}"
                max_conf_num = 1
            """);
        File.Create(LogPath).Dispose();
        _process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"exec {Binary} --config '{config}' >'{LogPath}' 2>&1"]))!;
        for (var i = 0; i < 300 && !File.Exists(SocketPath); i++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("containerd exited: " + Log);
            }

            await Task.Delay(100);
        }

        if (!File.Exists(SocketPath))
        {
            throw new InvalidOperationException("containerd did not open its socket within 30 s: " + Log);
        }
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;

        // Shims of this containerd name its socket on their command line and outlive it; their containers go with them.
        foreach (var pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
        {
            try
            {
                var commandLine = await File.ReadAllTextAsync($"/proc/{pid}/cmdline");
                if (commandLine.Contains("containerd-shim", StringComparison.Ordinal) && commandLine.Contains(SocketPath, StringComparison.Ordinal))
                {
                    using var shim = Process.GetProcessById(int.Parse(pid!, CultureInfo.InvariantCulture));
                    shim.Kill(entireProcessTree: true);
                    await shim.WaitForExitAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }

        // runc's state of containers whose bundle was in our state folder.
        var list = await ProcessRunner.RunAsync("runc", ["--root", RuncRoot, "list", "--format", "json"]);
        if (list.ExitCode == 0 && list.StandardOutput.Trim() is { Length: > 0 } json && json != "null")
        {
            foreach (var container in JsonNode.Parse(json)!.AsArray())
            {
                if (container?["id"]?.GetValue<string>() is { } id && container["bundle"]?.GetValue<string>() is { } bundle && bundle.StartsWith(_dir + "/", StringComparison.Ordinal))
                {
                    await ProcessRunner.RunAsync("runc", ["--root", RuncRoot, "delete", "--force", id]);
                }
            }
        }

        foreach (var mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(m => m.StartsWith(_dir + "/", StringComparison.Ordinal)).Reverse())
        {
            await ProcessRunner.RunAsync("umount", ["-l", mount]);
        }

        foreach (var dir in _createdOutside.Where(Directory.Exists))
        {
            try
            {
                // Not recursive: an empty cgroup or socket directory goes, anything still in use stays.
                Directory.Delete(dir);
            }
            catch (IOException)
            {
            }
        }
    }
}
