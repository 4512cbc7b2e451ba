using System.Diagnostics;
using System.Net.Sockets;

namespace EndToEnd.Infrastructure;

/// <summary>A real single-member etcd (Debian etcd-server) on free loopback ports with a temp data dir.</summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private EtcdProcess(Process process, string dataDir, int clientPort)
    {
        _process = process;
        _dataDir = dataDir;
        ClientPort = clientPort;
    }

    public int ClientPort { get; }

    public string Endpoint => $"etcd://127.0.0.1:{ClientPort}";

    public static async Task<EtcdProcess> StartAsync()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "stevedore-e2e-etcd-" + Guid.NewGuid().ToString("N"));
        var client = FreePort.Next();
        var peer = FreePort.Next();
        var info = new ProcessStartInfo("/usr/bin/etcd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "--name", "e2e", "--data-dir", dataDir,
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"e2e=http://127.0.0.1:{peer}", "--log-level", "error",
        })
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", client);
                return new EtcdProcess(process, dataDir, client);
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        process.Kill(true);
        throw new InvalidOperationException("etcd did not start listening within 20 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
