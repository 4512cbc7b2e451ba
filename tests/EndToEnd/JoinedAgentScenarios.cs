using System.Diagnostics;
using System.Text;
using EndToEnd.Infrastructure;

namespace EndToEnd;

/// <summary>
/// The token-join path: <c>stevedore server --disable-agent</c>, then <c>stevedore agent --server URL --token TOKEN</c>
/// (the token the server printed and stored) with <c>--container-runtime-endpoint</c> naming a separate
/// <c>stevedore engine cri</c> process, as a node joining from another machine would. It is the only agent on the
/// machine while it runs (<see cref="AgentMachine"/>), so it shares nothing with the real-pods collection.
/// </summary>
[Collection(JoinedAgentCollection.Name)]
public sealed class JoinedAgentScenarios(JoinedAgentFixture cluster)
{
    [Fact]
    public async Task Join_WithTheServersToken_RegistersAWorkerNodeThatRunsPodsWithLogsAndExec()
    {
        var k = cluster.Server.Kubectl("1.32");
        var node = cluster.NodeName;

        var fields = (await k.OkAsync("get", "node", node, "-o",
            """jsonpath={.metadata.labels.kubernetes\.io/hostname} {.metadata.labels.kubernetes\.io/os} {.status.addresses[?(@.type=="InternalIP")].address} {.status.conditions[?(@.type=="Ready")].status} {.spec.podCIDR}""")).Split(' ');
        Assert.Equal([node, "linux", "127.0.0.1", "True"], fields[..4]);
        Assert.Matches(@"^10\.42\.\d+\.0/24$", fields[4]);
        // A joined node is a worker: no control-plane role.
        Assert.Matches($@"{node}\s+Ready\s+<none>", await k.OkAsync("get", "node", node));
        Assert.Equal(node, await k.OkAsync("get", "lease", node, "-n", "kube-node-lease", "-o", "jsonpath={.spec.holderIdentity}"));
        // The agent kept the CA the token pinned: the very CA of the server.
        Assert.Equal(File.ReadAllText(Path.Combine(cluster.Server.DataDir, "tls", "ca.crt")).Trim(),
            File.ReadAllText(Path.Combine(cluster.AgentDataDir, "server-ca.crt")).Trim());

        var ns = "join-" + Scenario.Suffix();
        await k.OkAsync("create", "namespace", ns);
        cluster.Namespaces.Add(ns);
        await k.OkWithInputAsync("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: joined
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: busybox:1.36
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "echo hello-from-$(hostname); exec sleep 3600"]
            """, "apply", "-n", ns, "-f", "-");
        var ready = await k.RunAsync(["wait", "pod/joined", "-n", ns, "--for=condition=Ready", "--timeout=150s"], null, TimeSpan.FromSeconds(170));
        Assert.True(ready.ExitCode == 0, ready.Combined + (await k.RunAsync("describe", "pod", "joined", "-n", ns)).Combined + cluster.Log);

        Assert.Equal(node, await k.OkAsync("get", "pod", "joined", "-n", ns, "-o", "jsonpath={.spec.nodeName}"));
        Assert.Matches(@"^10\.42\.\d+\.\d+$", await k.OkAsync("get", "pod", "joined", "-n", ns, "-o", "jsonpath={.status.podIP}"));
        // Logs and exec go API server -> the joined agent's kubelet server, which trusts the pinned CA's client certificate.
        foreach (var version in new[] { "1.32", "1.27" })
        {
            var kv = cluster.Server.Kubectl(version);
            Assert.Equal("hello-from-joined", (await kv.OkAsync("logs", "joined", "-n", ns)).Trim());
            Assert.Equal("joined", await kv.OkAsync("exec", "joined", "-n", ns, "--", "hostname"));
        }
    }

    [Fact]
    public async Task Join_WithATokenPinningAnotherCa_IsRefusedWithAClearError()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "stevedore-e2e-badjoin-" + Scenario.Suffix());
        try
        {
            var token = File.ReadAllText(Path.Combine(cluster.Server.DataDir, "agent-token")).Trim();
            var wrongCa = "K10" + new string('0', 64) + token[(token.IndexOf("::", StringComparison.Ordinal))..];
            var result = await ProcessRunner.RunAsync(Repository.StevedoreBinary,
                ["agent", "--server", $"https://127.0.0.1:{cluster.Server.Port}", "--token", wrongCa, "--data-dir", dataDir, "--node-name", "never-joins"],
                timeout: TimeSpan.FromSeconds(60));

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("did not present the cluster CA the token names", result.StandardError);
            Assert.False(File.Exists(Path.Combine(dataDir, "server-ca.crt")));
            Assert.NotEqual(0, (await cluster.Server.Kubectl("1.32").RunAsync("get", "node", "never-joins")).ExitCode);
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }
}

/// <summary>
/// A control-plane-only server and one agent joined to it with the server's token, the agent talking CRI to a
/// separate <c>stevedore engine cri</c>; torn down like <see cref="AgentServer"/> (pods first, then the processes, then
/// the machine cleanup).
/// </summary>
public sealed class JoinedAgentFixture : IAsyncLifetime
{
    private readonly StringBuilder _log = new();
    private readonly List<Process> _processes = [];
    private AgentMachine? _machine;
    private bool _disposed;

    public StevedoreServer Server { get; private set; } = null!;

    public string Root { get; } = AgentMachine.NewRoot();

    public string AgentDataDir => Path.Combine(Root, "agent");

    public string NodeName { get; } = "e2e-joined-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>Namespaces the tests made; deleted (and their pods awaited) before the agent stops.</summary>
    public List<string> Namespaces { get; } = [];

    /// <summary>What the engine and the agent printed.</summary>
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

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        _machine = await AgentMachine.AcquireAsync();
        Directory.CreateDirectory(Root);
        Server = await StevedoreServer.StartAsync();
        var engineDir = Path.Combine(Root, "engine");
        await TestImages.ImportAsync(engineDir);
        var socket = Path.Combine(Root, "cri.sock");
        Start("engine", "--data-dir", engineDir, "cri", "--socket", socket);
        var token = (await File.ReadAllTextAsync(Path.Combine(Server.DataDir, "agent-token"))).Trim();
        Start("agent", "--server", $"https://127.0.0.1:{Server.Port}", "--token", token, "--data-dir", AgentDataDir, "--node-name", NodeName,
            "--container-runtime-endpoint", "unix://" + socket, "--node-ip", "127.0.0.1");

        var k = Server.Kubectl("1.32");
        await Scenario.EventuallyAsync(async () =>
            {
                Assert.All(_processes, p => Assert.False(p.HasExited, "a process exited early: " + Log));
                var ready = await k.RunAsync("get", "node", NodeName, "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].status}""");
                return ready.ExitCode == 0 && ready.StandardOutput.Trim() == "True";
            },
            $"node {NodeName} to join and be Ready", () => Task.FromResult(Log), seconds: 120);
    }

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (Server is not null && Namespaces.Count > 0)
            {
                var k = Server.Kubectl("1.32");
                await k.RunAsync(["delete", "namespace", "--wait=false", .. Namespaces], null, TimeSpan.FromSeconds(60));
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (DateTime.UtcNow < deadline
                       && (await k.RunAsync("get", "pods", "-A", "--field-selector", "spec.nodeName=" + NodeName, "-o", "name")) is { ExitCode: 0 } pods
                       && pods.StandardOutput.Trim().Length > 0)
                {
                    await Task.Delay(1000);
                }
            }

            // The agent first, then its runtime: SIGTERM, SIGKILL after 20 s.
            foreach (var process in Enumerable.Reverse(_processes))
            {
                if (!process.HasExited)
                {
                    await ProcessRunner.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                    try
                    {
                        await process.WaitForExitAsync(grace.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        process.Kill();
                        await process.WaitForExitAsync();
                    }
                }

                process.Dispose();
            }

            if (Server is not null)
            {
                await Server.DisposeAsync();
            }

            if (_machine is not null)
            {
                await _machine.CleanAsync(Root);
            }
        }
        finally
        {
            _machine?.Dispose();
        }
    }

    private void Start(params string[] arguments)
    {
        var info = new ProcessStartInfo(Repository.StevedoreBinary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        var name = arguments[0];
        process.OutputDataReceived += (_, e) => { lock (_log) { _log.Append(name).Append(": ").AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_log) { _log.Append(name).Append(": ").AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }
}

/// <summary>The joined-agent scenarios; they take the machine's agent resources for themselves (see <see cref="AgentMachine"/>).</summary>
[CollectionDefinition(Name)]
public sealed class JoinedAgentCollection : ICollectionFixture<JoinedAgentFixture>
{
    public const string Name = "joined-agent";
}
