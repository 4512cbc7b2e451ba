using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stevedore.Storage.Tests;

/// <summary>
/// A real single-member etcd (Debian's etcd-server) on free loopback ports with a temporary
/// data directory. It can be killed and restarted on the same ports and data.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/etcd";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("stevedore-etcd-").FullName;
    private readonly int _clientPort = FreePort();
    private readonly int _peerPort = FreePort();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private Process? _process;

    public string Endpoint => $"127.0.0.1:{_clientPort}";

    public async Task StartAsync()
    {
        string client = $"http://127.0.0.1:{_clientPort}";
        string peer = $"http://127.0.0.1:{_peerPort}";
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "--name", "test",
            "--data-dir", Path.Combine(_dataDirectory, "data"),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"test={peer}",
            "--initial-cluster-state", "new",
            "--heartbeat-interval", "50",
            "--election-timeout", "500",
            "--log-level", "error",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        // Drain its output so a chatty etcd never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitHealthyAsync();
    }

    /// <summary>Kills etcd abruptly (as a crash would) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _http.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {_process.ExitCode}");
            }

            try
            {
                string health = await _http.GetStringAsync($"http://127.0.0.1:{_clientPort}/health");
                if (health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("etcd did not become healthy within 30 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
