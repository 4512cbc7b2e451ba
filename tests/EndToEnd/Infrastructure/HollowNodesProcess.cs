using System.Diagnostics;
using System.Text;

namespace EndToEnd.Infrastructure;

/// <summary>
/// The published <c>stevedore hollow-nodes</c> binary joined to a <see cref="StevedoreServer"/>: N nodes
/// named PREFIX0..PREFIX(N-1) that heartbeat and report their pods Running. Ready once kubectl sees every
/// one of its nodes Ready. <see cref="StopAsync"/> kills the process, so its nodes stop heartbeating.
/// </summary>
public sealed class HollowNodesProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private HollowNodesProcess(Process process, StringBuilder log, IReadOnlyList<string> nodeNames)
    {
        _process = process;
        _log = log;
        NodeNames = nodeNames;
    }

    public IReadOnlyList<string> NodeNames { get; }

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

    public static async Task<HollowNodesProcess> StartAsync(StevedoreServer server, int count, string namePrefix = "hollow-node-")
    {
        var info = new ProcessStartInfo(Repository.StevedoreBinary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "hollow-nodes", "--kubeconfig", server.Kubeconfig, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "--name-prefix", namePrefix })
        {
            info.ArgumentList.Add(a);
        }

        var log = new StringBuilder();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var names = Enumerable.Range(0, count).Select(i => namePrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var nodes = new HollowNodesProcess(process, log, names);

        var kubectl = server.Kubectl("1.32");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"stevedore hollow-nodes exited with {process.ExitCode}: {nodes.Log}");
            }

            var ready = await kubectl.RunAsync("get", "nodes", "-o", """jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}""");
            var readyNodes = ready.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.EndsWith("=True", StringComparison.Ordinal))
                .Select(l => l[..^"=True".Length]).ToHashSet(StringComparer.Ordinal);
            if (names.All(readyNodes.Contains))
            {
                return nodes;
            }

            await Task.Delay(200);
        }

        await nodes.DisposeAsync();
        throw new InvalidOperationException($"hollow nodes {string.Join(", ", names)} were not Ready within 60 s: {nodes.Log}");
    }

    /// <summary>Kills the process: its nodes stay registered but stop renewing their Leases and status.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
