using System.Diagnostics;

namespace PodsBench.Infrastructure;

/// <summary>
/// Debian's containerd as a CRI runtime, started as the Kubelet node tests start it: its own root, state,
/// socket and config in a temp folder, CNI plugins from /usr/lib/cni and the conflist folder the agent
/// writes to, the test images imported with <c>ctr</c>. Disposal kills it and the shims it started, and
/// removes the directories it created outside its folder if they are empty and were not there before.
/// </summary>
public sealed class ContainerdProcess : IAsyncDisposable
{
    private readonly string _root;
    private readonly Process _process;

    // containerd creates these outside its root (shim sockets, the default cgroup parent).
    private readonly string[] _createdOutside;

    private ContainerdProcess(string root, Process process, string[] createdOutside)
    {
        _root = root;
        _process = process;
        _createdOutside = createdOutside;
    }

    public string SocketPath => Path.Combine(_root, "containerd.sock");

    public string Endpoint => "unix://" + SocketPath;

    public int Pid => _process.Id;

    public static async Task<ContainerdProcess> StartAsync(string root, string cniConfDir, TestImages images, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/bin/containerd"))
        {
            throw new InvalidOperationException("containerd is not installed (apt-get install containerd)");
        }

        string[] createdOutside = [.. new[] { "/run/containerd/s", "/run/containerd/fifo", "/run/containerd/runc/k8s.io", "/run/containerd/runc", "/run/containerd" }
            .Concat(Directory.GetDirectories("/sys/fs/cgroup").Select(c => Path.Combine(c, "k8s.io")))
            .Where(d => !Directory.Exists(d))];
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(cniConfDir);
        var socket = Path.Combine(root, "containerd.sock");
        var config = Path.Combine(root, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{Path.Combine(root, "root")}"
            state = "{Path.Combine(root, "state")}"
            [grpc]
              address = "{socket}"
            [plugins."io.containerd.internal.v1.opt"]
              path = "{Path.Combine(root, "opt")}"
            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "registry.k8s.io/pause:3.9"
              # Lowering oom_score_adj (the sandbox gets -998) needs CAP_SYS_RESOURCE, which this host may withhold.
              restrict_oom_score_adj = true
              [plugins."io.containerd.grpc.v1.cri".containerd]
                snapshotter = "overlayfs"
                default_runtime_name = "runc"
                [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                  runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".cni]
                bin_dir = "/usr/lib/cni"
                conf_dir = "{cniConfDir}"
            """, cancellationToken);
        var log = Path.Combine(root, "containerd.log");
        var info = new ProcessStartInfo("/bin/sh", ["-c", $"exec /usr/bin/containerd --config '{config}' >'{log}' 2>&1"]) { UseShellExecute = false };
        var containerd = new ContainerdProcess(root, ChildProcesses.Start(info), createdOutside);
        try
        {
            for (var i = 0; i < 600 && !File.Exists(socket); i++)
            {
                if (containerd._process.HasExited)
                {
                    throw new InvalidOperationException("containerd exited: " + await File.ReadAllTextAsync(log, cancellationToken));
                }

                await Task.Delay(50, cancellationToken);
            }

            // The CRI plugin registers after the socket appears; import once ctr answers.
            foreach (var image in new[] { "pause", "busybox" })
            {
                for (var attempt = 0; ; attempt++)
                {
                    var result = await Shell.TryRunAsync("/usr/bin/ctr", ["-a", socket, "-n", "k8s.io", "images", "import", images.OciTar(image)], cancellationToken: cancellationToken);
                    if (result.Ok)
                    {
                        break;
                    }

                    if (attempt > 50)
                    {
                        throw new InvalidOperationException($"ctr images import {image}: {result.Stderr.Trim()}");
                    }

                    await Task.Delay(200, cancellationToken);
                }
            }

            return containerd;
        }
        catch
        {
            await containerd.DisposeAsync();
            throw;
        }
    }

    /// <summary>The containers containerd still has in the k8s.io namespace (should be none once the pods are gone).</summary>
    public async Task<IReadOnlyList<string>> ContainersAsync()
    {
        var result = await Shell.TryRunAsync("/usr/bin/ctr", ["-a", SocketPath, "-n", "k8s.io", "containers", "list", "-q"]);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Kills and removes what is left (only after a failed run: the pods' deletion removes everything).</summary>
    public async Task ForceRemoveContainersAsync()
    {
        foreach (var id in await ContainersAsync())
        {
            await Shell.TryRunAsync("/usr/bin/ctr", ["-a", SocketPath, "-n", "k8s.io", "tasks", "kill", "-s", "SIGKILL", id]);
            await Task.Delay(200);
            await Shell.TryRunAsync("/usr/bin/ctr", ["-a", SocketPath, "-n", "k8s.io", "tasks", "delete", id]);
            await Shell.TryRunAsync("/usr/bin/ctr", ["-a", SocketPath, "-n", "k8s.io", "containers", "delete", id]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await ForceRemoveContainersAsync();
        }

        await ChildProcesses.StopAsync(_process);

        // Shims this containerd started (they name its socket on their command line) outlive it.
        foreach (var pid in ProcessStats.WithCommandLineContaining(SocketPath, new HashSet<int>()))
        {
            await Shell.TryRunAsync("kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        foreach (var dir in _createdOutside.Where(Directory.Exists))
        {
            try
            {
                // Not recursive: an empty cgroup or socket folder goes, anything still in use stays.
                Directory.Delete(dir);
            }
            catch (IOException)
            {
            }
        }
    }
}
