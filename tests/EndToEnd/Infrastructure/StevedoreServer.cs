using System.Diagnostics;
using System.Text;

namespace EndToEnd.Infrastructure;

/// <summary>
/// The published <c>stevedore server</c> binary, started as a user would, on a free loopback
/// port with its own data folder; ready once kubectl can read <c>/readyz</c> with the kubeconfig it wrote.
/// </summary>
public sealed class StevedoreServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private StevedoreServer(Process process, string dataDir, int port, StringBuilder log)
    {
        _process = process;
        DataDir = dataDir;
        Port = port;
        _log = log;
    }

    public string DataDir { get; }
    public int Port { get; }
    public string Kubeconfig => Path.Combine(DataDir, "kubeconfig.yaml");

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

    public Kubectl Kubectl(string version) => new(version, Kubeconfig);

    public static async Task<StevedoreServer> StartAsync(string? datastore = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "stevedore-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var port = FreePort.Next();
        var info = new ProcessStartInfo(Repository.StevedoreBinary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "server", "--data-dir", dataDir, "--listen", $"127.0.0.1:{port}", "--disable-agent" })
        {
            info.ArgumentList.Add(a);
        }

        if (datastore is not null)
        {
            info.ArgumentList.Add("--datastore");
            info.ArgumentList.Add(datastore);
        }

        var log = new StringBuilder();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new StevedoreServer(process, dataDir, port, log);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"stevedore server exited with {process.ExitCode}: {server.Log}");
            }

            if (File.Exists(server.Kubeconfig))
            {
                var ready = await server.Kubectl("1.32").RunAsync("get", "--raw", "/readyz");
                if (ready.ExitCode == 0 && ready.StandardOutput.Trim() == "ok")
                {
                    return server;
                }
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("stevedore server was not ready within 30 s: " + server.Log);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
