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
/// Only one agent-enabled server may run on the machine (port 10250, bridge stevedore0, /etc/stevedore/cni/net.d):
/// starting waits until port 10250 is free.
/// </summary>
public sealed class AgentServer : IAsyncDisposable
{
    private const int KubeletPort = 10250;

    private readonly Process _process;
    private readonly StringBuilder _log;
    private readonly List<string> _namespaces = [];

    private AgentServer(Process process, string root, int port, string nodeName, StringBuilder log)
    {
        _process = process;
        Root = root;
        Port = port;
        NodeName = nodeName;
        _log = log;
    }

    /// <summary>The temp folder holding the server's and the engine's data and the CRI socket.</summary>
    public string Root { get; }

    public int Port { get; }

    public string NodeName { get; }

    public string Kubeconfig => Path.Combine(Root, "server", "kubeconfig.yaml");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
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

    public static async Task<AgentServer> StartAsync()
    {
        await WaitForKubeletPortAsync();
        var root = Path.Combine(Path.GetTempPath(), "stevedore-e2e-agent-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        try
        {
            var engineDir = Path.Combine(root, "engine");
            foreach (var image in new[] { "pause", "busybox" })
            {
                var import = await ProcessRunner.RunAsync(Repository.StevedoreBinary,
                    ["engine", "--data-dir", engineDir, "import", Path.Combine(TestImages.Dir, image + ".oci.tar")], timeout: TimeSpan.FromSeconds(120));
                if (import.ExitCode != 0)
                {
                    throw new InvalidOperationException($"stevedore engine import {image} failed ({import.ExitCode}): {import.Combined}");
                }
            }
        }
        catch
        {
            DeleteRoot(root);
            throw;
        }

        var port = FreePort.Next();
        var nodeName = "e2e-agent-" + Guid.NewGuid().ToString("N")[..6];
        var info = new ProcessStartInfo(Repository.StevedoreBinary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     "server", "--data-dir", Path.Combine(root, "server"), "--listen", $"127.0.0.1:{port}",
                     "--engine-data-dir", Path.Combine(root, "engine"), "--cri-socket", Path.Combine(root, "cri.sock"),
                     "--node-name", nodeName, "--node-ip", "127.0.0.1",
                 })
        {
            info.ArgumentList.Add(a);
        }

        var log = new StringBuilder();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new AgentServer(process, root, port, nodeName, log);

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                var exitLog = server.Log;
                await server.DisposeAsync();
                throw new InvalidOperationException($"stevedore server exited early: {exitLog}");
            }

            if (File.Exists(server.Kubeconfig))
            {
                var ready = await server.Kubectl().RunAsync("get", "node", nodeName, "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].status}""");
                if (ready.ExitCode == 0 && ready.StandardOutput.Trim() == "True")
                {
                    return server;
                }
            }

            await Task.Delay(500);
        }

        var notReadyLog = server.Log;
        await server.DisposeAsync();
        throw new InvalidOperationException($"node {nodeName} was not Ready within 120 s: {notReadyLog}");
    }

    /// <summary>
    /// Deletes the test namespaces and waits until the node runs no pods (so the agent tears their containers,
    /// mounts and network namespaces down), then stops the server: SIGTERM, SIGKILL after 10 s.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited && File.Exists(Kubeconfig))
        {
            await DeleteNamespacesAndWaitForPodsGoneAsync();
        }

        if (!_process.HasExited)
        {
            await ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        DeleteRoot(Root);
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
            // The server no longer answers; stopping it below is all that is left to do.
        }
    }

    private static async Task WaitForKubeletPortAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Any, KubeletPort);
                probe.Start();
                probe.Stop();
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                // Another agent-enabled server (a colleague's run) holds the kubelet port; only one may run at a time.
                await Task.Delay(2000);
            }
        }
    }

    /// <summary>Unmounts whatever the engine left mounted under <paramref name="root"/> (deepest first) before deleting it, so no delete reaches through a mount.</summary>
    private static void DeleteRoot(string root)
    {
        var prefix = root.TrimEnd('/') + "/";
        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(l => l.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m.StartsWith(prefix, StringComparison.Ordinal))
            .OrderByDescending(m => m.Length)
            .ToList();
        foreach (var mount in mounts)
        {
            using var umount = Process.Start(new ProcessStartInfo("umount", ["-l", mount]) { UseShellExecute = false })!;
            umount.WaitForExit();
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

/// <summary>The busybox and pause test images (images/build-test-images.sh), built once per test run next to the test assembly.</summary>
public static class TestImages
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding busybox.oci.tar and pause.oci.tar.</summary>
    public static string Dir => Built.Value;

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
