using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stevedore.Cri.Streaming.RemoteCommand;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>
/// The CRI streaming server (upstream's k8s.io/kubelet/pkg/cri/streaming): the Exec, Attach and
/// PortForward RPCs leave a request here and answer with a single-use URL
/// (<c>http://127.0.0.1:PORT/exec/TOKEN</c>); the kubelet proxies the client's upgraded connection to
/// it, and this server speaks SPDY/3.1 or WebSocket on it and drives the runtime.
/// </summary>
public sealed class StreamingServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StreamingRequestCache _cache;
    private readonly IStreamingRuntime _runtime;

    private StreamingServer(WebApplication app, StreamingRequestCache cache, IStreamingRuntime runtime, Uri baseUrl)
    {
        _app = app;
        _cache = cache;
        _runtime = runtime;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Starts serving on <paramref name="endpoint"/> (loopback, port 0 = any free port).</summary>
    public static async Task<StreamingServer> StartAsync(IStreamingRuntime runtime, IPEndPoint endpoint, TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var cache = new StreamingRequestCache(time);
        StreamingServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new StreamingServer(app, cache, runtime, new Uri(address.TrimEnd('/') + "/"));
        return server;
    }

    /// <summary>The URL a client uses for <paramref name="request"/>; null when too many requests wait already.</summary>
    public string? UrlFor(StreamingRequest request)
    {
        var token = _cache.Insert(request);
        if (token is null)
        {
            return null;
        }

        var kind = request switch
        {
            ExecStreamingRequest => "exec",
            AttachStreamingRequest => "attach",
            _ => "portforward",
        };
        return new Uri(BaseUrl, $"{kind}/{token}").ToString();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var segments = (context.Request.Path.Value ?? "").Trim('/').Split('/');
        if (segments.Length != 2 || !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsPost(context.Request.Method))
        {
            await RemoteCommandSession.RejectAsync(context, 404, "not found");
            return;
        }

        var request = _cache.Consume(segments[1]);
        switch (segments[0], request)
        {
            case ("exec", ExecStreamingRequest exec):
                await ServeExecAsync(context, exec);
                return;
            case ("attach", AttachStreamingRequest attach):
                await ServeAttachAsync(context, attach);
                return;
            case ("portforward", PortForwardStreamingRequest forward):
                await PortForwardHandler.ServeAsync(context, forward.SandboxId, _runtime);
                return;
            default:
                await RemoteCommandSession.RejectAsync(context, 404, "invalid or expired streaming token");
                return;
        }
    }

    private async Task ServeExecAsync(HttpContext context, ExecStreamingRequest exec)
    {
        await using var session = await RemoteCommandSession.AcceptAsync(context, exec.Options);
        if (session is null)
        {
            return;
        }

        RemoteCommandStatus status;
        try
        {
            var exitCode = await _runtime.ExecAsync(exec.ContainerId, exec.Command, exec.Options.Tty, session.Stdin, session.Stdout, session.Stderr, session.Sizes, session.ClientGone);
            status = exitCode == 0 ? RemoteCommandStatus.Succeeded : RemoteCommandStatus.Exited(exec.Command, exitCode);
        }
        catch (OperationCanceledException) when (session.ClientGone.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is EngineException or IOException)
        {
            status = RemoteCommandStatus.Failed($"error executing command in container: {ex.Message}");
        }

        await session.FinishAsync(status);
    }

    private async Task ServeAttachAsync(HttpContext context, AttachStreamingRequest attach)
    {
        await using var session = await RemoteCommandSession.AcceptAsync(context, attach.Options);
        if (session is null)
        {
            return;
        }

        RemoteCommandStatus status;
        try
        {
            await _runtime.AttachAsync(attach.ContainerId, session.Stdin, session.Stdout, session.Stderr, session.Sizes, session.ClientGone);
            status = RemoteCommandStatus.Succeeded;
        }
        catch (OperationCanceledException) when (session.ClientGone.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is EngineException or IOException)
        {
            status = RemoteCommandStatus.Failed($"error attaching to container: {ex.Message}");
        }

        await session.FinishAsync(status);
    }

    /// <summary>Stops serving; open sessions are cut.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
