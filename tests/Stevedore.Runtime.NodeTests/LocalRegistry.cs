using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stevedore.Runtime.NodeTests;

/// <summary>Debian's docker-registry on a loopback port with a temporary config and storage; killed and deleted on dispose.</summary>
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

    /// <summary>The user of a registry started with basic auth.</summary>
    public const string User = "tester";

    /// <summary>Its password.</summary>
    public const string Password = "stevedore-test";

    // bcrypt (cost 4, so verification stays fast) of Password, made once with Python's crypt module.
    private const string PasswordHash = "$2b$04$f6DD5.iTNbSUS5DILr8EnOK.uevtzmJUtVJlkKMLohWycPrM4.Wm6";

    public static async Task<LocalRegistry> StartAsync(bool basicAuth = false)
    {
        var dir = Directory.CreateTempSubdirectory("stevedore-registry-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var config = Path.Combine(dir, "config.yml");
        var auth = "";
        if (basicAuth)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "htpasswd"), $"{User}:{PasswordHash}\n");
            auth = $"auth:\n  htpasswd:\n    realm: stevedore-test\n    path: {dir}/htpasswd\n";
        }

        await File.WriteAllTextAsync(config, auth + $"""
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
        using var http = new HttpClient();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{port}/v2/");
                if (response.IsSuccessStatusCode || basicAuth && response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return registry;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(25);
        }

        await registry.DisposeAsync();
        throw new InvalidOperationException("docker-registry did not come up");
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
}
