using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Server.Logs;

namespace Stevedore.Kubelet.Server;

/// <summary>
/// The kubelet's HTTPS API the API server calls for a pod's logs and streams:
/// <c>/containerLogs/{ns}/{pod}/{container}</c>, <c>/exec</c>, <c>/attach</c> and <c>/portForward</c>.
/// Containers are found through CRI by their pod labels; exec, attach and port-forward ask the
/// runtime for a streaming URL and proxy the client's upgraded connection to it. Clients
/// authenticate with a certificate signed by the configured CA.
/// </summary>
public sealed partial class KubeletServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KubeletServerOptions _options;
    private readonly ContainerLocator _locator;
    private readonly HttpMessageInvoker _streaming;
    private readonly bool _ownsStreamingClient;
    private readonly ILogger _logger;

    private KubeletServer(WebApplication app, KubeletServerOptions options, int port)
    {
        _app = app;
        _options = options;
        _locator = new ContainerLocator(options.Runtime);
        _ownsStreamingClient = options.StreamingClient is null;
        _streaming = options.StreamingClient ?? new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
        _logger = options.LoggerFactory.CreateLogger("Stevedore.Kubelet.Server");
        Port = port;
    }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Starts serving HTTPS on <see cref="KubeletServerOptions.Listen"/>.</summary>
    public static async Task<KubeletServer> StartAsync(KubeletServerOptions options, CancellationToken cancellationToken)
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
            kestrel.Listen(options.Listen, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = options.ServingCertificate;
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => IsSignedBy(certificate, options.ClientCertificateAuthority);
                });
            });
        });
        var app = builder.Build();
        KubeletServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new KubeletServer(app, options, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port);
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path == "/healthz")
        {
            await WriteTextAsync(context, 200, "ok");
            return;
        }

        if (context.Connection.ClientCertificate is null)
        {
            await WriteTextAsync(context, 401, "Unauthorized");
            return;
        }

        var segments = path.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        segments = segments switch
        {
            // The forms with the pod's UID (…/{podUID}/{container}) name the same things.
            ["exec" or "attach", _, _, _, _] => [segments[0], segments[1], segments[2], segments[4]],
            ["portForward", _, _, _] => segments[..3],
            _ => segments,
        };
        var ct = context.RequestAborted;
        try
        {
            switch (segments)
            {
                case ["containerLogs", var ns, var pod, var container] when HttpMethods.IsGet(context.Request.Method):
                    await ContainerLogsAsync(context, ns, pod, container, ct);
                    return;
                case ["exec", var ns, var pod, var container]:
                    await ExecAsync(context, ns, pod, container, ct);
                    return;
                case ["attach", var ns, var pod, var container]:
                    await AttachAsync(context, ns, pod, container, ct);
                    return;
                case ["portForward", var ns, var pod]:
                    await PortForwardAsync(context, ns, pod, ct);
                    return;
                default:
                    await WriteTextAsync(context, 404, "404 page not found");
                    return;
            }
        }
        catch (RpcException ex)
        {
            // As upstream's streaming.WriteError: the runtime's message with a status that fits its code.
            await WriteTextAsync(context, ex.StatusCode switch
            {
                StatusCode.NotFound => 404,
                StatusCode.InvalidArgument or StatusCode.FailedPrecondition => 400,
                StatusCode.ResourceExhausted => 429,
                _ => 500,
            }, ex.Status.Detail);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            LogStreamFailed(_logger, path, ex);
            await WriteTextAsync(context, 500, ex.Message);
        }
    }

    private async Task ContainerLogsAsync(HttpContext context, string ns, string pod, string container, CancellationToken ct)
    {
        var options = ContainerLogOptions.FromQuery(context.Request.Query, _options.Time.GetUtcNow(), out var invalid);
        if (options is null)
        {
            await WriteTextAsync(context, 400, invalid);
            return;
        }

        var instances = await _locator.InstancesAsync(ns, pod, container, ct);
        Container? chosen;
        if (options.Previous)
        {
            chosen = instances.Skip(1).FirstOrDefault(c => c.State == ContainerState.ContainerExited);
            if (chosen is null)
            {
                await WriteTextAsync(context, 400, $"previous terminated container \"{container}\" in pod \"{pod}\" not found");
                return;
            }
        }
        else
        {
            chosen = instances.FirstOrDefault();
            if (chosen is null)
            {
                var known = await _locator.SandboxAsync(ns, pod, ct) is not null;
                await WriteTextAsync(context, known ? 400 : 404, known
                    ? $"container \"{container}\" in pod \"{pod}\" is waiting to start - no logs yet"
                    : $"pod \"{pod}\" does not exist");
                return;
            }
        }

        var status = await _locator.StatusAsync(chosen.Id, ct);
        if (status is null || string.IsNullOrEmpty(status.LogPath) || !File.Exists(status.LogPath))
        {
            await WriteTextAsync(context, 400, $"container \"{container}\" in pod \"{pod}\" has no log file");
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.StartAsync(ct);
        var streamer = new ContainerLogStreamer(_options.Time);
        await streamer.StreamAsync(status.LogPath, options, context.Response.Body,
            async token => (await _locator.StatusAsync(chosen.Id, token))?.State == ContainerState.ContainerRunning, ct);
    }

    private async Task ExecAsync(HttpContext context, string ns, string pod, string container, CancellationToken ct)
    {
        if (await StreamOptionsAsync(context) is not { } streams)
        {
            return;
        }

        var id = await RunningContainerAsync(context, ns, pod, container, ct);
        if (id is null)
        {
            return;
        }

        var request = new ExecRequest { ContainerId = id, Stdin = streams.Stdin, Stdout = streams.Stdout, Stderr = streams.Stderr, Tty = streams.Tty };
        request.Cmd.AddRange(context.Request.Query["command"].Select(c => c ?? ""));
        var url = (await _options.Runtime.ExecAsync(request, cancellationToken: ct)).Url;
        await UpgradeProxy.ProxyAsync(context, new Uri(url), _streaming, ct);
    }

    private async Task AttachAsync(HttpContext context, string ns, string pod, string container, CancellationToken ct)
    {
        if (await StreamOptionsAsync(context) is not { } streams)
        {
            return;
        }

        var id = await RunningContainerAsync(context, ns, pod, container, ct);
        if (id is null)
        {
            return;
        }

        var url = (await _options.Runtime.AttachAsync(
            new AttachRequest { ContainerId = id, Stdin = streams.Stdin, Stdout = streams.Stdout, Stderr = streams.Stderr, Tty = streams.Tty }, cancellationToken: ct)).Url;
        await UpgradeProxy.ProxyAsync(context, new Uri(url), _streaming, ct);
    }

    private async Task PortForwardAsync(HttpContext context, string ns, string pod, CancellationToken ct)
    {
        if (!UpgradeProxy.IsUpgrade(context))
        {
            await WriteTextAsync(context, 400, "Upgrade request required");
            return;
        }

        var sandbox = await _locator.SandboxAsync(ns, pod, ct);
        if (sandbox is not { State: PodSandboxState.SandboxReady })
        {
            await WriteTextAsync(context, 404, $"pod \"{pod}\" does not exist");
            return;
        }

        var request = new PortForwardRequest { PodSandboxId = sandbox.Id };
        foreach (var port in context.Request.Query["port"])
        {
            if (int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                request.Port.Add(number);
            }
        }

        var url = (await _options.Runtime.PortForwardAsync(request, cancellationToken: ct)).Url;
        await UpgradeProxy.ProxyAsync(context, new Uri(url), _streaming, ct);
    }

    /// <summary>The streams an exec or attach asks for (the API server sends "1", kubectl-style clients "true").</summary>
    private static async Task<(bool Stdin, bool Stdout, bool Stderr, bool Tty)?> StreamOptionsAsync(HttpContext context)
    {
        if (!UpgradeProxy.IsUpgrade(context))
        {
            await WriteTextAsync(context, 400, "Upgrade request required");
            return null;
        }

        static bool Flag(HttpContext c, string name) => c.Request.Query[name].ToString() is "1" or "true" or "True";
        var (stdin, stdout, stderr, tty) = (Flag(context, "stdin"), Flag(context, "stdout"), Flag(context, "stderr"), Flag(context, "tty"));
        if (tty && stderr)
        {
            // As upstream: a terminal merges stderr into stdout.
            stderr = false;
        }

        if (!stdin && !stdout && !stderr)
        {
            await WriteTextAsync(context, 400, "you must specify at least 1 of stdin, stdout, stderr");
            return null;
        }

        return (stdin, stdout, stderr, tty);
    }

    private async Task<string?> RunningContainerAsync(HttpContext context, string ns, string pod, string container, CancellationToken ct)
    {
        var running = (await _locator.InstancesAsync(ns, pod, container, ct)).FirstOrDefault(c => c.State == ContainerState.ContainerRunning);
        if (running is null)
        {
            await WriteTextAsync(context, 500, $"container not found (\"{container}\")");
            return null;
        }

        return running.Id;
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string text)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(text);
    }

    private static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        return chain.Build(certificate);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "kubelet request {Path} failed")]
    private static partial void LogStreamFailed(ILogger logger, string path, Exception exception);

    /// <summary>Stops serving.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsStreamingClient)
        {
            _streaming.Dispose();
        }
    }
}
