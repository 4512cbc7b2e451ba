using System.Diagnostics;
using System.Net;

namespace ApiServerBench.Infrastructure;

/// <summary>
/// One published <c>stevedore server</c> on a free loopback port with a fresh data folder, ready
/// once <c>/readyz</c> answers 200 over HTTPS to the admin from the kubeconfig it wrote.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly string _logPath;

    private ServerProcess(Process process, string dataDir, string logPath)
    {
        _process = process;
        DataDir = dataDir;
        _logPath = logPath;
    }

    public string DataDir { get; }

    /// <summary>The server's process id (the shell execs the server, so it is the server's own).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Process start to the first 200 on /readyz.</summary>
    public TimeSpan TimeToReady { get; private set; }

    /// <summary>Clients for this server, available once it is ready.</summary>
    public ClusterConnection Connection { get; private set; } = null!;

    /// <summary>Starts the server (on SQLite unless <paramref name="datastore"/> names an etcd) and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartAsync(string binary, string? datastore, AuthMode auth, CancellationToken cancellationToken)
    {
        var dataDir = TempDirectory.Create("server");
        var logPath = Path.Combine(dataDir, "server.log");
        // The server logs every request; sending that to a file (through exec, so the PID stays
        // the server's) keeps the load generator from spending CPU reading it.
        // Run in the (empty) data folder: the server watches its working directory tree
        // (ASP.NET Core's config reload), so where the benchmark is started from must not matter.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = dataDir };
        info.Environment["STEVEDORE_BENCH_LOG"] = logPath;
        foreach (var argument in new[] { "-c", "exec \"$0\" \"$@\" > \"$STEVEDORE_BENCH_LOG\" 2>&1", binary, "server", "--data-dir", dataDir, "--listen", $"127.0.0.1:{FreePort.Next()}", "--disable-agent" })
        {
            info.ArgumentList.Add(argument);
        }

        if (datastore is not null)
        {
            info.ArgumentList.Add("--datastore");
            info.ArgumentList.Add(datastore);
        }

        var clock = Stopwatch.StartNew();
        var process = ChildProcesses.Start(info);
        var server = new ServerProcess(process, dataDir, logPath);
        try
        {
            await server.WaitUntilReadyAsync(auth, clock, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Resident set size now (VmRSS from /proc/PID/status), in MiB.</summary>
    public double ResidentMegabytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
                return kilobytes / 1024.0;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc status");
    }

    public async ValueTask DisposeAsync()
    {
        Connection?.Dispose();
        await ChildProcesses.StopAsync(_process);
        TempDirectory.Delete(DataDir);
    }

    private async Task WaitUntilReadyAsync(AuthMode auth, Stopwatch clock, CancellationToken cancellationToken)
    {
        var kubeconfig = Path.Combine(DataDir, "kubeconfig.yaml");
        HttpClient? client = null;
        while (clock.Elapsed < StartTimeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"stevedore server exited with {_process.ExitCode}: {Log}");
            }

            if (client is null && File.Exists(kubeconfig))
            {
                Connection = ClusterConnection.Open(DataDir, auth);
                client = Connection.CreateClient();
            }

            if (client is not null && await IsReadyAsync(client, cancellationToken))
            {
                TimeToReady = clock.Elapsed;
                return;
            }

            await Task.Delay(client is null ? 5 : 10, cancellationToken);
        }

        throw new InvalidOperationException($"stevedore server was not ready within {StartTimeout.TotalSeconds} s: {Log}");
    }

    private static async Task<bool> IsReadyAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            using var request = Http2.Request(HttpMethod.Get, "/readyz");
            using var response = Http2.Checked(await client.SendAsync(request, cancellationToken));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The end of the server's log, for error messages.</summary>
    private string Log
    {
        get
        {
            var text = File.Exists(_logPath) ? File.ReadAllText(_logPath) : "";
            return text.Length > 4000 ? text[^4000..] : text;
        }
    }
}
