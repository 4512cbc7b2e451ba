using System.Diagnostics;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Cri;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>
/// The node with Debian's containerd (1.6) as runtime, started with its own root, state, socket and
/// CNI configuration (a bridge of its own with host-local addresses; containerd's CRI insists on
/// a pod address), the test images imported with <c>ctr images import</c>. Stopping removes every
/// sandbox, kills containerd and its shims, unmounts, deletes the bridge.
/// </summary>
public sealed class ContainerdNodeFixture : NodeFixture
{
    private readonly string _bridge = "stvkub" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];
    private Process? _containerd;

    // Directories containerd creates outside its root (shim sockets, the default cgroup parent); removed afterwards only if they were not there before.
    private readonly string[] _createdOutside = [.. new[] { "/run/containerd/s", "/run/containerd/fifo", "/run/containerd/runc/k8s.io", "/run/containerd/runc", "/run/containerd" }
        .Concat(Directory.Exists("/sys/fs/cgroup") ? Directory.GetDirectories("/sys/fs/cgroup").Select(c => Path.Combine(c, "k8s.io")) : [])
        .Where(d => !Directory.Exists(d))];

    public override string RuntimeName => "containerd";

    private string SocketPath => Path.Combine(Root, "containerd.sock");

    private string Log => Path.Combine(Root, "containerd.log");

    protected override async Task<string> StartRuntimeAsync()
    {
        if (!File.Exists("/usr/bin/containerd"))
        {
            throw new InvalidOperationException("containerd is not installed (apt-get install containerd)");
        }

        var cniDir = Directory.CreateDirectory(Path.Combine(Root, "cni")).FullName;
        var subnet = $"10.232.{Random.Shared.Next(1, 250)}.0/24";
        await File.WriteAllTextAsync(Path.Combine(cniDir, "10-test.conflist"), $$$"""
            {"cniVersion":"0.4.0","name":"stevedore-kubelet-test","plugins":[
              {"type":"bridge","bridge":"{{{_bridge}}}","isGateway":false,"ipMasq":false,
               "ipam":{"type":"host-local","ranges":[[{"subnet":"{{{subnet}}}"}]],"dataDir":"{{{Path.Combine(Root, "ipam")}}}"}}]}
            """);
        var config = Path.Combine(Root, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{Path.Combine(Root, "root")}"
            state = "{Path.Combine(Root, "state")}"
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
                conf_dir = "{cniDir}"
            """);
        File.Create(Log).Dispose();
        _containerd = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"exec /usr/bin/containerd --config '{config}' >'{Log}' 2>&1"]))!;
        for (var i = 0; i < 300 && !File.Exists(SocketPath); i++)
        {
            if (_containerd.HasExited)
            {
                throw new InvalidOperationException("containerd exited: " + await File.ReadAllTextAsync(Log));
            }

            await Task.Delay(100);
        }

        using (var cri = new CriConnection(SocketPath))
        {
            // The CRI plugin registers after the socket appears; wait until it answers.
            for (var i = 0; ; i++)
            {
                try
                {
                    await cri.Runtime.VersionAsync(new VersionRequest());
                    break;
                }
                catch (Grpc.Core.RpcException) when (i < 100)
                {
                    await Task.Delay(100);
                }
            }
        }

        foreach (var tar in new[] { TestImages.PauseTar, TestImages.BusyboxTar })
        {
            await RunAsync("/usr/bin/ctr", "-a", SocketPath, "-n", "k8s.io", "images", "import", tar);
        }

        return SocketPath;
    }

    protected override async Task StopRuntimeAsync()
    {
        if (_containerd is not null && !_containerd.HasExited)
        {
            try
            {
                using var cri = new CriConnection(SocketPath);
                foreach (var sandbox in (await cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items)
                {
                    await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox.Id });
                    await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox.Id });
                }
            }
            catch (Grpc.Core.RpcException)
            {
            }

            _containerd.Kill();
            await _containerd.WaitForExitAsync();
        }

        // Shims this containerd started (they name its socket on their command line) outlive it.
        foreach (var pidDir in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cmdline = await File.ReadAllTextAsync(Path.Combine(pidDir, "cmdline"));
                if (cmdline.Contains(SocketPath, StringComparison.Ordinal) && cmdline.Contains("containerd-shim", StringComparison.Ordinal))
                {
                    using var shim = Process.GetProcessById(int.Parse(Path.GetFileName(pidDir), System.Globalization.CultureInfo.InvariantCulture));
                    shim.Kill(entireProcessTree: true);
                    await shim.WaitForExitAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
            }
        }

        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(Root, StringComparison.Ordinal)).Reverse())
        {
            Snapshotter.Unmount(mount);
        }

        if (Directory.Exists("/sys/class/net/" + _bridge))
        {
            await RunAsync("/usr/sbin/ip", "link", "delete", _bridge);
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

    private static async Task RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {await stderr}");
        }
    }
}
