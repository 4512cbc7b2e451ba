using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stevedore.Runtime.Cri.Streaming;

namespace Stevedore.Runtime.Cri;

/// <summary>The CRI v1 RuntimeService and ImageService over a unix socket, served by Kestrel (HTTP/2 gRPC).</summary>
public sealed class CriServer : IAsyncDisposable
{
    /// <summary>Where kubelet looks for Stevedore by default.</summary>
    public const string DefaultSocketPath = "/run/stevedore/cri.sock";

    private readonly WebApplication _app;
    private readonly StreamingServer _streaming;

    private CriServer(WebApplication app, StreamingServer streaming, string socketPath)
    {
        _app = app;
        _streaming = streaming;
        SocketPath = socketPath;
    }

    /// <summary>The socket the server listens on.</summary>
    public string SocketPath { get; }

    /// <summary>Where the streaming server (Exec, Attach, PortForward URLs) listens.</summary>
    public Uri StreamingUrl => _streaming.BaseUrl;

    /// <summary>
    /// Starts serving <paramref name="engine"/> on <paramref name="socketPath"/> (a stale socket file is
    /// replaced) with loopback-only sandboxes (no CNI) and the streaming server on a free loopback port.
    /// </summary>
    public static Task<CriServer> StartAsync(ContainerEngine engine, string socketPath, CancellationToken cancellationToken) =>
        StartAsync(engine, socketPath, CriNetworkOptions.Disabled, cancellationToken);

    /// <summary>Starts serving <paramref name="engine"/> on <paramref name="socketPath"/>, networking sandboxes as <paramref name="network"/> says.</summary>
    public static async Task<CriServer> StartAsync(ContainerEngine engine, string socketPath, CriNetworkOptions network, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(socketPath))!);
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }

        var streaming = await StreamingServer.StartAsync(new EngineStreamingRuntime(engine), new IPEndPoint(IPAddress.Loopback, 0), engine.Options.Time, cancellationToken);
        // No configuration reload: it would put an inotify watch on every folder under the working directory
        // (the agent's data folder, or / under a service manager) and wake on every file written there.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(new CriPodNetwork(network));
        builder.Services.AddSingleton(streaming);
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<EngineErrorInterceptor>());
        var app = builder.Build();
        app.MapGrpcService<CriRuntimeService>();
        app.MapGrpcService<CriImageService>();
        await app.StartAsync(cancellationToken);
        return new CriServer(app, streaming, socketPath);
    }

    /// <summary>Stops serving and removes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _streaming.DisposeAsync();
        if (File.Exists(SocketPath))
        {
            File.Delete(SocketPath);
        }
    }
}
