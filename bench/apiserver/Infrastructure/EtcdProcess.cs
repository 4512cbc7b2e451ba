using System.Diagnostics;
using System.Net.Sockets;

namespace ApiServerBench.Infrastructure;

/// <summary>A fresh single-member etcd (Debian etcd-server, /usr/bin/etcd) on free loopback ports with a temp data dir.</summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private const string Binary = "/usr/bin/etcd";
    private readonly Process _process;
    private readonly string _dataDir;

    private EtcdProcess(Process process, string dataDir, int clientPort)
    {
        _process = process;
        _dataDir = dataDir;
        Endpoint = $"etcd://127.0.0.1:{clientPort}";
    }

    /// <summary>The <c>--datastore</c> value that points a server at this etcd.</summary>
    public string Endpoint { get; }

    public static async Task<EtcdProcess> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} not found: apt-get install etcd-server");
        }

        var dataDir = TempDirectory.Create("etcd");
        var client = FreePort.Next();
        var peer = FreePort.Next();
        var info = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--name", "bench", "--data-dir", dataDir,
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"bench=http://127.0.0.1:{peer}", "--log-level", "error",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = ChildProcesses.Start(info);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var etcd = new EtcdProcess(process, dataDir, client);
        try
        {
            await WaitForPortAsync(process, client, cancellationToken);
            return etcd;
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcesses.StopAsync(_process);
        TempDirectory.Delete(_dataDir);
    }

    private static async Task WaitForPortAsync(Process process, int port, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {process.ExitCode}");
            }

            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        throw new InvalidOperationException("etcd did not listen within 20 s");
    }
}
