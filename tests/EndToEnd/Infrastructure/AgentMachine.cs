using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace EndToEnd.Infrastructure;

/// <summary>
/// Exclusive use of this machine's node-agent resources for one test fixture, and leaving the machine as the
/// fixture found it. Only one agent may run here (kubelet port 10250, bridge <see cref="Bridge"/>, the conflist in
/// <see cref="ConfDir"/>): <see cref="AcquireAsync"/> takes a machine-wide lock (flock on a file in /run/lock, also
/// against other checkouts running these tests), waits until port 10250 is free, removes what an earlier run that
/// was killed left behind, and notes what the agent may change. What the agent, its engine and the CNI plugins
/// make on the host outlives their processes (shims keep containers running, the bridge and the nft table stay),
/// so <see cref="CleanAsync"/> removes it: containers and shims whose bundle or data lives under the run's folder,
/// the pods' network namespaces (found through the veths on the bridge), the bridge, the egress guard's table,
/// the conflist, mounts under the folder, new service proxy tables, and <c>net.ipv4.ip_forward</c> back to what
/// it was. Other engineers' node tests use bridges and tables of their own, which are never touched.
/// </summary>
public sealed class AgentMachine : IDisposable
{
    public const string Bridge = "stevedore0";

    /// <summary>The service proxy table of an agent with default options.</summary>
    public const string AgentProxyTable = "stevedore_proxy";

    /// <summary>The link an agent with default options serves cluster DNS on.</summary>
    public const string DnsLink = "stevedore-dns";

    /// <summary>Where the engine pins the IPC and UTS namespaces of sandboxes without a pause container.</summary>
    public const string PodNamespaceDir = "/run/stevedore/podns";
    public const string EgressTable = "stevedore_egress_" + Bridge;
    public const string ConfDir = "/etc/stevedore/cni/net.d";
    public const string Conflist = ConfDir + "/10-stevedore.conflist";
    public const int KubeletPort = 10250;

    /// <summary>Every run's folder starts so: a folder of that name that exists while we hold the lock is stale.</summary>
    private const string RootPrefix = "/tmp/stevedore-e2e-agent-";
    private const string LockFile = "/run/lock/stevedore-e2e-agent.lock";
    private const string RuncRoot = "/run/stevedore/runc";
    private const string AttachDir = "/run/stevedore/attach";
    private const string IpForward = "/proc/sys/net/ipv4/ip_forward";

    private readonly FileStream _lock;
    private readonly string _ipForwardBefore;
    private readonly HashSet<string> _proxyTablesBefore;

    private AgentMachine(FileStream machineLock, string ipForwardBefore, HashSet<string> proxyTablesBefore)
    {
        _lock = machineLock;
        _ipForwardBefore = ipForwardBefore;
        _proxyTablesBefore = proxyTablesBefore;
    }

    /// <summary>Takes the machine (waiting up to 15 minutes for another holder), then sweeps stale runs and notes ip_forward and the proxy tables.</summary>
    public static async Task<AgentMachine> AcquireAsync()
    {
        var machineLock = await LockAsync();
        try
        {
            await WaitForKubeletPortAsync();
            foreach (var stale in Directory.GetDirectories(Path.GetDirectoryName(RootPrefix)!, Path.GetFileName(RootPrefix) + "*"))
            {
                await RemoveContainersAsync(stale);
                UnmountAndDelete(stale);
            }

            // A stale bridge would hand this run's pods addresses that stale namespaces still hold.
            await RemoveNetworkAsync();
            return new AgentMachine(machineLock, File.ReadAllText(IpForward).Trim(), [.. await ProxyTablesAsync()]);
        }
        catch
        {
            machineLock.Dispose();
            throw;
        }
    }

    /// <summary>A fresh folder name for this run's data (created by the caller).</summary>
    public static string NewRoot() => RootPrefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Everything the agent under <paramref name="root"/> left on the host, then the folder itself. Call after its processes stopped.</summary>
    public async Task CleanAsync(string root)
    {
        await RemoveContainersAsync(root);
        await RemoveNetworkAsync();
        foreach (var table in (await ProxyTablesAsync()).Where(t => !_proxyTablesBefore.Contains(t)))
        {
            var familyAndName = table.Split(' ');
            await RunAsync("nft", "delete", "table", familyAndName[0], familyAndName[1]);
        }

        if (File.ReadAllText(IpForward).Trim() != _ipForwardBefore)
        {
            await File.WriteAllTextAsync(IpForward, _ipForwardBefore + "\n");
        }

        UnmountAndDelete(root);
    }

    /// <summary>Releases the machine-wide lock.</summary>
    public void Dispose() => _lock.Dispose();

    /// <summary>An exclusive flock on <see cref="LockFile"/>; .NET takes one for <see cref="FileShare.None"/> and fails at once while another process holds it.</summary>
    private static async Task<FileStream> LockAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(2000);
            }
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
                // Someone's agent outside these tests (./up) holds the kubelet port; only one may run at a time.
                await Task.Delay(2000);
            }
        }
    }

    /// <summary>The pods' namespaces (their veths hang on the bridge), the bridge, the egress table and the conflist.</summary>
    private static async Task RemoveNetworkAsync()
    {
        if (Directory.Exists("/sys/class/net/" + Bridge))
        {
            var links = await RunAsync("ip", "-j", "link", "show", "master", Bridge);
            var netnsIds = links.ExitCode == 0 && links.StandardOutput.Trim().Length > 0
                ? JsonNode.Parse(links.StandardOutput)!.AsArray().Select(l => l?["link_netnsid"]?.GetValue<int>()).OfType<int>().ToHashSet()
                : [];
            var namespaces = await RunAsync("ip", "-j", "netns", "list");
            if (netnsIds.Count > 0 && namespaces.ExitCode == 0 && namespaces.StandardOutput.Trim().Length > 0)
            {
                foreach (var ns in JsonNode.Parse(namespaces.StandardOutput)!.AsArray())
                {
                    if (ns?["id"]?.GetValue<int>() is { } id && netnsIds.Contains(id) && ns["name"]?.GetValue<string>() is { } name && name.StartsWith("cni-", StringComparison.Ordinal))
                    {
                        await RunAsync("ip", "netns", "delete", name);
                        // A sandbox without a pause container pins its IPC and UTS namespaces under the same uuid.
                        foreach (var pin in new[] { "ipc-", "uts-" }.Select(kind => Path.Combine(PodNamespaceDir, kind + name["cni-".Length..])))
                        {
                            await RunAsync("umount", "-l", pin);
                            File.Delete(pin);
                        }
                    }
                }
            }

            await RunAsync("ip", "link", "delete", Bridge);
        }

        // The first pinned pod namespace made the engine's folder a shared mount (as `ip netns` does with /run/netns);
        // once it is empty again the mount goes too.
        if (Directory.Exists(PodNamespaceDir) && !Directory.EnumerateFileSystemEntries(PodNamespaceDir).Any()
            && (await RunAsync("mountpoint", "-q", PodNamespaceDir)).ExitCode == 0)
        {
            await RunAsync("umount", "-l", PodNamespaceDir);
        }

        if ((await RunAsync("nft", "list", "table", "inet", EgressTable)).ExitCode == 0)
        {
            await RunAsync("nft", "delete", "table", "inet", EgressTable);
        }

        // The agent's own service proxy table and cluster DNS link (a killed run leaves both).
        if ((await RunAsync("nft", "list", "table", "ip", AgentProxyTable)).ExitCode == 0)
        {
            await RunAsync("nft", "delete", "table", "ip", AgentProxyTable);
        }

        if ((await RunAsync("ip", "link", "show", DnsLink)).ExitCode == 0)
        {
            await RunAsync("ip", "link", "delete", DnsLink);
        }

        File.Delete(Conflist);
    }

    /// <summary>The runc containers whose bundle is under <paramref name="root"/>, and the shims serving the engine there.</summary>
    private static async Task RemoveContainersAsync(string root)
    {
        var prefix = root.TrimEnd('/') + "/";
        var list = await RunAsync("runc", "--root", RuncRoot, "list", "--format", "json");
        if (list.ExitCode == 0 && list.StandardOutput.Trim() is { Length: > 0 } json && json != "null")
        {
            foreach (var container in JsonNode.Parse(json)!.AsArray())
            {
                var id = container?["id"]?.GetValue<string>();
                var bundle = container?["bundle"]?.GetValue<string>();
                if (id is not null && bundle is not null && bundle.StartsWith(prefix, StringComparison.Ordinal))
                {
                    await RunAsync("runc", "--root", RuncRoot, "delete", "--force", id);
                    File.Delete(Path.Combine(AttachDir, id[..Math.Min(24, id.Length)] + ".sock"));
                }
            }
        }

        // Shims run `stevedore-shim <engine data dir> ...` (or `stevedore engine shim <engine data dir> ...` without the
        // native shim) in sessions of their own; with their containers gone they end by themselves, anything still
        // there serves this root only.
        foreach (var pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }

            if (commandLine.Contains(" engine shim " + prefix, StringComparison.Ordinal) || commandLine.Contains("/stevedore-shim " + prefix, StringComparison.Ordinal))
            {
                try
                {
                    using var shim = Process.GetProcessById(int.Parse(pid!, CultureInfo.InvariantCulture));
                    shim.Kill();
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Gone meanwhile.
                }
            }
        }
    }

    /// <summary>Unmounts whatever is still mounted under <paramref name="root"/> (deepest first) before deleting it, so no delete reaches through a mount.</summary>
    private static void UnmountAndDelete(string root)
    {
        var prefix = root.TrimEnd('/') + "/";
        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(l => l.Split(' ')[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct()
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

    private static async Task<IEnumerable<string>> ProxyTablesAsync()
    {
        var tables = await RunAsync("nft", "list", "tables");
        // Lines read "table <family> <name>".
        return Scenario.Lines(tables.StandardOutput)
            .Select(l => l.Split(' '))
            .Where(f => f.Length == 3 && f[2].StartsWith("stevedore_proxy", StringComparison.Ordinal))
            .Select(f => f[1] + " " + f[2]);
    }

    private static Task<ProcessResult> RunAsync(string command, params string[] arguments) =>
        ProcessRunner.RunAsync(command, arguments, timeout: TimeSpan.FromSeconds(30));
}
