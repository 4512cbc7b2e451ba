using System.Diagnostics;
using System.Net.Sockets;
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
        // It came back after a restart without the token (the fixture restarted it so): its certificate is enough.
        Assert.True(cluster.RestartedWithoutToken, cluster.Log);

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
    public async Task Agent_RestartsItselfOnceWithASmallGen0Budget_OtherCommandsKeepTheGcDefault()
    {
        // The agent replaced its own image (same pid, the one the test started) with DOTNET_GCgen0size set;
        // the engine process, another command of the same binary, runs with the GC's default.
        static string[] EnvironmentOf(int pid) => File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        Assert.Contains("DOTNET_GCgen0size=0x400000", EnvironmentOf(cluster.AgentProcessId));
        Assert.DoesNotContain(EnvironmentOf(cluster.EngineProcessId), v => v.StartsWith("DOTNET_GCgen0size=", StringComparison.Ordinal));
        Assert.Equal(cluster.NodeName, await cluster.Server.Kubectl("1.32").OkAsync("get", "lease", cluster.NodeName, "-n", "kube-node-lease", "-o", "jsonpath={.spec.holderIdentity}"));

        // The restarted runtime listens on its diagnostics socket (dotnet-counters, -trace and -dump attach there):
        // the first runtime's socket file was removed before the restart, so the second one's bind succeeded.
        var diagnostics = Assert.Single(Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{cluster.AgentProcessId}-*-socket"));
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await probe.ConnectAsync(new UnixDomainSocketEndPoint(diagnostics));
    }

    [Fact]
    public async Task Join_TheAgentTalksWithItsOwnNodeCertificate_AndTheTokenOnlyAsksForCertificates()
    {
        var k = cluster.Server.Kubectl("1.32");
        var node = cluster.NodeName;
        var (id, secret) = cluster.BootstrapToken;

        // The agent's kubeconfig carries a client certificate for system:node:NAME in system:nodes, and never the token.
        var agentKubeconfig = Path.Combine(cluster.AgentDataDir, "kubeconfig.yaml");
        var kubeconfigText = await File.ReadAllTextAsync(agentKubeconfig);
        Assert.Contains("client-certificate-data", kubeconfigText);
        Assert.DoesNotContain("token", kubeconfigText);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(agentKubeconfig));
        }
        foreach (var file in Directory.EnumerateFiles(cluster.AgentDataDir, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).Length < 1 << 20))
        {
            Assert.DoesNotContain(secret, await File.ReadAllTextAsync(file));
        }

        foreach (var version in new[] { "1.32", "1.27" })
        {
            var asNode = new Kubectl(version, agentKubeconfig);
            var whoami = await asNode.OkAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.username} {.status.userInfo.groups}");
            Assert.StartsWith($"system:node:{node} ", whoami);
            Assert.Contains("system:nodes", whoami);
        }

        // The join went through a CertificateSigningRequest of the bootstrap user, auto-approved and issued.
        var csrs = await k.OkAsync("get", "csr");
        Assert.Matches($@"node-csr-\S+\s+\S+\s+kubernetes\.io/kube-apiserver-client-kubelet\s+system:bootstrap:{id}\s+<none>\s+Approved,Issued", csrs);

        // The token alone: the bootstrap user, allowed to ask for certificates and nothing else.
        var tokenKubeconfig = Path.Combine(cluster.Root, "token-kubeconfig.yaml");
        await File.WriteAllTextAsync(tokenKubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://127.0.0.1:{cluster.Server.Port}
                certificate-authority: {Path.Combine(cluster.Server.DataDir, "tls", "ca.crt")}
            users:
            - name: u
              user:
                token: {id}.{secret}
            contexts:
            - name: c
              context:
                cluster: c
                user: u
            current-context: c
            """);
        var asToken = new Kubectl("1.32", tokenKubeconfig);
        Assert.Equal($"system:bootstrap:{id}", await asToken.OkAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"));
        Assert.Contains("node-csr-", await asToken.OkAsync("get", "csr", "-o", "name"));
        foreach (var forbidden in new[] { new[] { "get", "secrets", "-n", "kube-system" }, new[] { "get", "nodes" }, new[] { "delete", "node", node } })
        {
            var refused = await asToken.RunAsync(forbidden);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains($"User \"system:bootstrap:{id}\" cannot", refused.StandardError);
        }

        Assert.Matches($@"{node}\s+Ready", await k.OkAsync("get", "node", node));
    }

    [Fact]
    public async Task CertificateApprove_ByKubectl_IssuesAClientCertificate()
    {
        // A request of the admin's is not auto-approved; `kubectl certificate approve` (1.32 speaks protobuf to /approval) is how.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=jane, O=dev", key, System.Security.Cryptography.HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var name = "jane-" + Scenario.Suffix();
        var k = cluster.Server.Kubectl("1.32");
        await k.OkWithInputAsync($"""
            apiVersion: certificates.k8s.io/v1
            kind: CertificateSigningRequest
            metadata:
              name: {name}
            spec:
              request: {Convert.ToBase64String(Encoding.ASCII.GetBytes(request))}
              signerName: kubernetes.io/kube-apiserver-client
              expirationSeconds: 86400
              usages: [digital signature, client auth]
            """, "create", "-f", "-");
        try
        {
            Assert.Matches($@"{name}\s+\S+\s+kubernetes\.io/kube-apiserver-client\s+system:admin\s+24h\s+Pending", await k.OkAsync("get", "csr", name));
            Assert.Contains($"approved", await k.OkAsync("certificate", "approve", name));
            await Scenario.EventuallyAsync(async () => (await k.OkAsync("get", "csr", name)).Contains("Approved,Issued", StringComparison.Ordinal),
                $"csr {name} issued", () => k.OkAsync("get", "csr", name, "-o", "yaml"), seconds: 60);
            var issued = Encoding.ASCII.GetString(Convert.FromBase64String(await k.OkAsync("get", "csr", name, "-o", "jsonpath={.status.certificate}")));
            using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(issued);
            Assert.Equal("jane", certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
            Assert.InRange(certificate.NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(24.1));
        }
        finally
        {
            await k.RunAsync("delete", "csr", name);
        }
    }

    [Fact]
    public async Task Join_WithTheRightCaButAWrongSecret_IsRefusedInOneLine_AndWritesNothing()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "stevedore-e2e-badjoin-" + Scenario.Suffix());
        try
        {
            var token = File.ReadAllText(Path.Combine(cluster.Server.DataDir, "agent-token")).Trim();
            var wrongSecret = token[..^16] + new string('0', 16);
            var result = await ProcessRunner.RunAsync(Repository.StevedoreBinary,
                ["agent", "--server", $"https://127.0.0.1:{cluster.Server.Port}", "--token", wrongSecret, "--data-dir", dataDir, "--node-name", "never-joins"],
                timeout: TimeSpan.FromSeconds(60));

            Assert.Equal(2, result.ExitCode);
            Assert.Equal("stevedore agent: the server refused the join token (401 Unauthorized): it is not valid in this cluster (wrong, revoked or expired)", result.StandardError.Trim());
            Assert.False(Directory.Exists(dataDir));
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
            Assert.Equal($"stevedore agent: https://127.0.0.1:{cluster.Server.Port}/ did not present the cluster CA the token names", result.StandardError.Trim());
            Assert.False(Directory.Exists(dataDir));
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

    /// <summary>The bootstrap token inside the server's join token (<c>K10HASH::ID.SECRET</c>).</summary>
    public (string Id, string Secret) BootstrapToken { get; private set; }

    /// <summary>True once the agent, stopped after joining, came back with neither --server nor --token and renewed its Lease.</summary>
    public bool RestartedWithoutToken { get; private set; }

    /// <summary>The running agent's pid (the restarted one).</summary>
    public int AgentProcessId => _processes[^1].Id;

    /// <summary>The pid of the separate <c>stevedore engine cri</c>.</summary>
    public int EngineProcessId => _processes[0].Id;

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
        // The server stores its join token once the token's Secret exists, a moment after /readyz.
        var tokenFile = Path.Combine(Server.DataDir, "agent-token");
        await Scenario.EventuallyAsync(() => Task.FromResult(File.Exists(tokenFile)), "the server to store its join token", seconds: 60);
        var token = (await File.ReadAllTextAsync(tokenFile)).Trim();
        var credential = token[(token.IndexOf("::", StringComparison.Ordinal) + 2)..].Split('.');
        BootstrapToken = (credential[0], credential[1]);
        string[] node = ["--data-dir", AgentDataDir, "--node-name", NodeName, "--container-runtime-endpoint", "unix://" + socket, "--node-ip", "127.0.0.1"];
        Start(["agent", "--server", $"https://127.0.0.1:{Server.Port}", "--token", token, .. node]);
        await WaitReadyAsync("to join and be Ready");

        // Stop the agent and bring it back with nothing but its folder: the certificate it got must do.
        var joined = _processes[^1];
        await StopAsync(joined);
        _processes.Remove(joined);
        joined.Dispose();
        var restarted = DateTime.UtcNow;
        Start(["agent", .. node]);
        var k = Server.Kubectl("1.32");
        await Scenario.EventuallyAsync(async () =>
            {
                Assert.All(_processes, p => Assert.False(p.HasExited, "a process exited early: " + Log));
                var renew = await k.RunAsync("get", "lease", NodeName, "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}");
                return renew.ExitCode == 0 && DateTime.TryParse(renew.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AdjustToUniversal, out var at) && at > restarted;
            },
            $"node {NodeName} to renew its Lease after a restart without the token", () => Task.FromResult(Log), seconds: 90);
        await WaitReadyAsync("to be Ready after the restart");
        RestartedWithoutToken = true;
    }

    private async Task WaitReadyAsync(string what)
    {
        var k = Server.Kubectl("1.32");
        await Scenario.EventuallyAsync(async () =>
            {
                Assert.All(_processes, p => Assert.False(p.HasExited, "a process exited early: " + Log));
                var ready = await k.RunAsync("get", "node", NodeName, "-o", """jsonpath={.status.conditions[?(@.type=="Ready")].status}""");
                return ready.ExitCode == 0 && ready.StandardOutput.Trim() == "True";
            },
            $"node {NodeName} {what}", () => Task.FromResult(Log), seconds: 120);
    }

    /// <summary>SIGTERM, SIGKILL after 20 s.</summary>
    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

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

            // The agent first, then its runtime.
            foreach (var process in Enumerable.Reverse(_processes))
            {
                await StopAsync(process);
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
