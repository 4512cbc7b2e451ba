using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Stevedore.Runtime;

namespace Stevedore.Cri.NodeTests;

/// <summary>
/// Debian's docker-registry on a loopback port with a temporary config and storage, holding the
/// pullable test image (pushed by a throwaway engine); killed and deleted on dispose.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private LocalRegistry(Process process, string dir, string host)
    {
        _process = process;
        _dir = dir;
        Host = host;
    }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Host { get; }

    /// <summary>The pullable test image's name in this registry.</summary>
    public string PullableImage => Host + "/cri/pullable:1";

    public static async Task<LocalRegistry> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("stevedore-cri-registry-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var config = Path.Combine(dir, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {dir}/storage
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var info = new ProcessStartInfo("/usr/bin/docker-registry", ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new LocalRegistry(process, dir, $"127.0.0.1:{port}");
        try
        {
            await registry.WaitUntilUpAsync();
            await registry.PushPullableAsync();
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task WaitUntilUpAsync()
    {
        using var http = new HttpClient();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var response = await http.GetAsync($"http://{Host}/v2/");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(25);
        }

        throw new InvalidOperationException("docker-registry did not come up");
    }

    private async Task PushPullableAsync()
    {
        // Import and push only: the engine unpacks nothing and starts no container, so its directory is all there is to remove.
        var engine = new ContainerEngine(new EngineOptions { DataDir = Path.Combine(_dir, "pusher"), RuntimeRoot = Path.Combine(_dir, "runc"), RegistryConfigPath = null });
        await engine.ImportAsync(TestImages.PullableTar, null, CancellationToken.None);
        await engine.PushAsync(TestImages.PullableName, PullableImage, null, CancellationToken.None);
    }
}
