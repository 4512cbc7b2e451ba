using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stevedore.Storage.Tests;

/// <summary>
/// A real etcd member (Debian's etcd-server) on free loopback ports with a temporary data
/// directory: alone, or one of a cluster (<see cref="StartClusterAsync"/>). It can be killed
/// and restarted on the same ports and data.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/etcd";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("stevedore-etcd-").FullName;
    private readonly int _clientPort = FreePort();
    private readonly int _peerPort = FreePort();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly string _name;
    private string _initialCluster;
    private Process? _process;

    public EtcdServer(string name = "test")
    {
        _name = name;
        _initialCluster = $"{name}={PeerUrl}";
    }

    public string Endpoint => $"127.0.0.1:{_clientPort}";

    private string PeerUrl => $"http://127.0.0.1:{_peerPort}";

    /// <summary>Starts <paramref name="members"/> members that form one cluster.</summary>
    public static async Task<IReadOnlyList<EtcdServer>> StartClusterAsync(int members)
    {
        var servers = Enumerable.Range(0, members).Select(i => new EtcdServer($"member{i}")).ToList();
        string initialCluster = string.Join(',', servers.Select(s => $"{s._name}={s.PeerUrl}"));
        foreach (var server in servers)
        {
            server._initialCluster = initialCluster;
        }

        // Members only report healthy once a leader is elected, so all must start together.
        await Task.WhenAll(servers.Select(s => s.StartAsync()));
        return servers;
    }

    public async Task StartAsync()
    {
        string client = $"http://127.0.0.1:{_clientPort}";
        string peer = PeerUrl;
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "--name", _name,
            "--data-dir", Path.Combine(_dataDirectory, "data"),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", _initialCluster,
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
