using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EndToEnd.Infrastructure;

/// <summary>
/// The published <c>stevedore server</c> WITH its node agent: the built-in engine's CRI server, the kubelet,
/// CNI pod networking and the kubelet server (port 10250), so pods are real runc containers. The test images
/// (busybox, pause from images/build-test-images.sh) are imported into a fresh engine data folder first, and
/// every pod uses <c>imagePullPolicy: IfNotPresent</c>, so nothing is ever pulled. The node reports
/// InternalIP 127.0.0.1, so the API server reaches the kubelet over loopback only.
/// Only one agent may run on the machine (port 10250, bridge stevedore0, /etc/stevedore/cni/net.d): starting
/// acquires the <see cref="AgentMachine"/>, stopping leaves the machine clean and releases it. With
/// <c>containerd: true</c> the agent talks CRI to Debian's containerd (<see cref="ContainerdRuntime"/>,
/// <c>--container-runtime-endpoint</c>) instead of the built-in engine.
/// </summary>
public sealed class AgentServer : IAsyncDisposable
{
    private readonly AgentMachine _machine;
    private readonly StringBuilder _log = new();
    private readonly List<string> _namespaces = [];
    private readonly string[] _arguments;
    private Process _process = null!;

    /// <summary>containerd, when the agent uses it rather than the built-in engine.</summary>
    public ContainerdRuntime? Containerd { get; private set; }

    private AgentServer(AgentMachine machine, string root, int port, string nodeName, string[] arguments)
    {
        _machine = machine;
        Root = root;
        Port = port;
        NodeName = nodeName;
        _arguments = arguments;
    }

    /// <summary>The temp folder holding the server's and the engine's data and the CRI socket.</summary>
    public string Root { get; }

    public int Port { get; }

    public string NodeName { get; }

    public string ServerDataDir => Path.Combine(Root, "server");

    public string Kubeconfig => Path.Combine(ServerDataDir, "kubeconfig.yaml");

    /// <summary>The agent's static pod folder (<c>DATA/agent/manifests</c>).</summary>
    public string ManifestsDir => Path.Combine(ServerDataDir, "agent", "manifests");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString() + (Containerd?.Log is { Length: > 0 } runtime ? "\n---- containerd (end) ----\n" + runtime[Math.Max(0, runtime.Length - 6000)..] : "");
            }
        }
    }

    public Kubectl Kubectl(string version = "1.32") => new(version, Kubeconfig);

    /// <summary>Creates a namespace with a random suffix that <see cref="DisposeAsync"/> deletes (and waits for its pods to go) before stopping the server.</summary>
    public async Task<string> NamespaceAsync()
    {
        var name = "rp-" + Guid.NewGuid().ToString("N")[..6];
        lock (_namespaces)
        {
            _namespaces.Add(name);
        }

        Assert.Contains($"namespace/{name} created", await Kubectl().OkAsync("create", "namespace", name));
        return name;
    }

    /// <summary>The agent's <c>--container-log-max-size</c>.</summary>
    public const string ContainerLogMaxSize = "64Ki";

    /// <summary>The agent's <c>--container-log-max-files</c>: the current file and two rotated ones.</summary>
    public const int ContainerLogMaxFiles = 3;

    /// <summary>Where the agent keeps pod logs (the kubelet's default).</summary>
    public const string PodLogsDir = "/var/log/pods";

    /// <param name="containerd">Run Debian's containerd as the agent's runtime instead of the built-in engine.</param>
    public static async Task<AgentServer> StartAsync(bool containerd = false)
    {
        var machine = await AgentMachine.AcquireAsync();
        AgentServer? server = null;
        try
        {
            var root = AgentMachine.NewRoot();
            var port = FreePort.Next();
            var nodeName = "e2e-agent-" + Guid.NewGuid().ToString("N")[..6];
            string[] runtime = containerd
                ? ["--container-runtime-endpoint", "unix://" + Path.Combine(root, "containerd", "containerd.sock")]
                : ["--engine-data-dir", Path.Combine(root, "engine"), "--cri-socket", Path.Combine(root, "cri.sock")];
            server = new AgentServer(machine, root, port, nodeName,
            [
                "server", "--data-dir", Path.Combine(root, "server"), "--listen", $"127.0.0.1:{port}",
                .. runtime,
                "--node-name", nodeName, "--node-ip", "127.0.0.1",
                // Small enough for a test to watch a log rotate several times in half a minute; no other test logs this much.
                "--container-log-max-size", ContainerLogMaxSize, "--container-log-max-files", ContainerLogMaxFiles.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ]);
            Directory.CreateDirectory(root);
            if (containerd)
            {
                server.Containerd = await ContainerdRuntime.StartAsync(root);
            }
            else
            {
                await TestImages.ImportAsync(Path.Combine(root, "engine"));
            }

            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else
            {
                machine.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Stops the server (SIGTERM, as an operator restarts it) and starts it again with the same data folders and
    /// port; returns once the API answers and the new agent's kubelet server listens. Containers keep running meanwhile.
    /// </summary>
    public async Task RestartAsync()
    {
        await StopProcessAsync();
        lock (_log)
        {
            _log.AppendLine("---- restart ----");
        }

        await StartProcessAsync();
    }

    /// <summary>
    /// Removes the static pods, deletes the test namespaces and waits until the node runs no pods (so the agent
    /// tears their containers, mounts and network namespaces down), stops the server, then removes whatever is
    /// still left on the machine and releases the machine-wide lock.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false } && File.Exists(Kubeconfig))
            {
                if (Directory.Exists(ManifestsDir))
                {
                    foreach (var manifest in Directory.GetFiles(ManifestsDir))
                    {
                        File.Delete(manifest);
                    }
                }

                await DeleteNamespacesAndWaitForPodsGoneAsync();
            }

            await StopProcessAsync();
            if (Containerd is not null)
            {
                await Containerd.StopAsync();
            }

            await _machine.CleanAsync(Root);
        }
        finally
        {
            _machine.Dispose();
        }
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(Repository.StevedoreBinary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in _arguments)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"stevedore server exited early ({process.ExitCode}): {Log}");
            }

            if (File.Exists(Kubeconfig) && await KubeletListensAsync())
            {
                var ready = await Kubectl().RunAsync("get", "node", NodeName, "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].status}""");
                if (ready.ExitCode == 0 && ready.StandardOutput.Trim() == "True")
                {
                    return;
                }
            }

            await Task.Delay(500);
        }

        throw new InvalidOperationException($"node {NodeName} was not Ready within 120 s: {Log}");
    }

    /// <summary>SIGTERM, SIGKILL after 20 s.</summary>
    private async Task StopProcessAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            await ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync();
            }
        }

        _process.WaitForExit();
        _process.Dispose();
    }

    private async Task DeleteNamespacesAndWaitForPodsGoneAsync()
    {
        var kubectl = Kubectl();
        string[] namespaces;
        lock (_namespaces)
        {
            namespaces = [.. _namespaces];
        }

        try
        {
            if (namespaces.Length > 0)
            {
                await kubectl.RunAsync(["delete", "namespace", "--wait=false", "--ignore-not-found", .. namespaces], null, TimeSpan.FromSeconds(60));
            }

            var deadline = DateTime.UtcNow.AddSeconds(180);
            while (DateTime.UtcNow < deadline)
            {
                var pods = await kubectl.RunAsync("get", "pods", "-A", "--field-selector", "spec.nodeName=" + NodeName, "-o", "name");
                if (pods.ExitCode == 0 && pods.StandardOutput.Trim().Length == 0)
                {
                    return;
                }

                await Task.Delay(1000);
            }
        }
        catch (TimeoutException)
        {
            // The server no longer answers; the machine cleanup after stopping it removes what is left.
        }
    }

    private static async Task<bool> KubeletListensAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, AgentMachine.KubeletPort);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>The busybox and pause test images (images/build-test-images.sh), built once per test run next to the test assembly.</summary>
public static class TestImages
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding busybox.oci.tar and pause.oci.tar.</summary>
    public static string Dir => Built.Value;

    /// <summary>Imports pause and busybox into the engine data folder <paramref name="engineDir"/> (created if missing).</summary>
    public static async Task ImportAsync(string engineDir)
    {
        foreach (var image in new[] { "pause", "busybox" })
        {
            var import = await ProcessRunner.RunAsync(Repository.StevedoreBinary, ["engine", "--data-dir", engineDir, "import", Path.Combine(Dir, image + ".oci.tar")],
                timeout: TimeSpan.FromSeconds(120));
            if (import.ExitCode != 0)
            {
                throw new InvalidOperationException($"stevedore engine import {image} failed ({import.ExitCode}): {import.Combined}");
            }
        }
    }

    private static string Build()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "test-images");
        var info = new ProcessStartInfo("bash", [Path.Combine(Repository.Root, "images", "build-test-images.sh"), output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("build-test-images.sh failed: " + stderr.Result);
        }

        return output;
    }
}
