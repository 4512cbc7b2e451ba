using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.NodeTests.Probes;

/// <summary>httpGet and tcpSocket probes and httpGet hooks against real servers on 127.0.0.1.</summary>
public sealed class HttpProbeNodeTests
{
    private static readonly V1Container Container = new()
    {
        Name = "main",
        Ports = [new V1ContainerPort { Name = "web", ContainerPort = 1 }],
    };

    [Theory]
    [InlineData("/status/200", ProbeOutcome.Success, "status 200")]
    [InlineData("/status/204", ProbeOutcome.Success, "")]
    [InlineData("/status/399", ProbeOutcome.Warning, "Probe terminated redirects, Response body: status 399")]
    [InlineData("/status/400", ProbeOutcome.Failure, "HTTP probe failed with statuscode: 400")]
    [InlineData("/status/500", ProbeOutcome.Failure, "HTTP probe failed with statuscode: 500")]
    [InlineData("/status/503", ProbeOutcome.Failure, "HTTP probe failed with statuscode: 503")]
    [InlineData("/redirect/same", ProbeOutcome.Success, "status 200")]
    [InlineData("/redirect/other-host", ProbeOutcome.Warning, "Probe terminated redirects, Response body: elsewhere")]
    public async Task HttpGet_ServerAnswers_OutcomeByStatusCode(string path, ProbeOutcome outcome, string output)
    {
        await using var server = await StartHttpServerAsync();
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", HttpProbe(server.Port, path), CancellationToken.None);

        Assert.Equal(new ProbeResult(outcome, output), result);
    }

    [Fact]
    public async Task HttpGet_RedirectLoopOnSameHost_FailsAfterTenRequests()
    {
        await using var server = await StartHttpServerAsync();
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", HttpProbe(server.Port, "/redirect/loop"), CancellationToken.None);

        Assert.Equal(ProbeResult.Failure($"Get \"http://127.0.0.1:{server.Port}/redirect/loop\": stopped after 10 redirects"), result);
    }

    [Fact]
    public async Task HttpGet_Headers_UpstreamDefaultsAndSpecHeadersSent()
    {
        await using var server = await StartHttpServerAsync();
        using var prober = new Prober(new NoExec());
        var plain = HttpProbe(server.Port, "/headers");
        var custom = HttpProbe(server.Port, "/headers");
        custom.HttpGet.HttpHeaders = [new V1HTTPHeader { Name = "X-Probe", Value = "yes" }, new V1HTTPHeader { Name = "User-Agent", Value = "mine/2" }, new V1HTTPHeader { Name = "Host", Value = "app.example" }, new V1HTTPHeader { Name = "Accept", Value = "" }];

        var defaults = await prober.ProbeAsync(Pod(), Container, "c1", plain, CancellationToken.None);
        var overridden = await prober.ProbeAsync(Pod(), Container, "c1", custom, CancellationToken.None);

        Assert.Equal(ProbeResult.Success($"ua=kube-probe/1.33 accept=*/* x-probe= host=127.0.0.1:{server.Port}"), defaults);
        Assert.Equal(ProbeResult.Success("ua=mine/2 accept= x-probe=yes host=app.example"), overridden);
    }

    [Fact]
    public async Task HttpGet_NamedPortAndPodIpDefault_ProbesThatPort()
    {
        await using var server = await StartHttpServerAsync();
        using var prober = new Prober(new NoExec());
        var container = new V1Container { Name = "main", Ports = [new V1ContainerPort { Name = "web", ContainerPort = server.Port }] };
        var probe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "web", Path = "/status/200" } };

        var result = await prober.ProbeAsync(Pod(), container, "c1", probe, CancellationToken.None);

        Assert.Equal(ProbeResult.Success("status 200"), result);
    }

    [Fact]
    public async Task HttpGet_UnknownPortName_ErrorsAsUpstream()
    {
        using var prober = new Prober(new NoExec());
        var probe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "metrics", Path = "/" } };

        var result = await prober.ProbeAsync(Pod(), Container, "c1", probe, CancellationToken.None);

        Assert.Equal(ProbeResult.Error("strconv.Atoi: parsing \"metrics\": invalid syntax"), result);
    }

    [Fact]
    public async Task HttpGet_HugeBody_ReadOnlyTheFirst10KiB()
    {
        await using var server = await StartHttpServerAsync();
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", HttpProbe(server.Port, "/big"), CancellationToken.None);

        Assert.Equal(ProbeOutcome.Success, result.Outcome);
        Assert.Equal(new string('x', 10 * 1024), result.Output);
    }

    [Fact]
    public async Task HttpGet_ServerSlowerThanTimeout_FailsWithClientTimeout()
    {
        await using var server = await StartHttpServerAsync();
        using var prober = new Prober(new NoExec());
        var probe = HttpProbe(server.Port, "/slow");
        probe.TimeoutSeconds = 1;

        var result = await prober.ProbeAsync(Pod(), Container, "c1", probe, CancellationToken.None);

        Assert.Equal(ProbeResult.Failure($"Get \"http://127.0.0.1:{server.Port}/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"), result);
    }

    [Fact]
    public async Task HttpGet_NothingListening_FailsWithConnectionRefused()
    {
        var port = LoopbackServer.ClosedPort();
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", HttpProbe(port, "/healthz"), CancellationToken.None);

        Assert.Equal(ProbeResult.Failure($"Get \"http://127.0.0.1:{port}/healthz\": dial tcp 127.0.0.1:{port}: connect: connection refused"), result);
    }

    [Fact]
    public async Task HttpGet_HttpsWithSelfSignedCertificate_AcceptedWithoutVerification()
    {
        await using var server = await StartHttpServerAsync(https: true);
        using var prober = new Prober(new NoExec());
        var probe = HttpProbe(server.Port, "/status/200");
        probe.HttpGet.Scheme = "HTTPS";

        var result = await prober.ProbeAsync(Pod(), Container, "c1", probe, CancellationToken.None);

        Assert.Equal(ProbeResult.Success("status 200"), result);
    }

    [Fact]
    public async Task TcpSocket_Listening_Succeeds_Closed_RefusedAsUpstream()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var open = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closed = LoopbackServer.ClosedPort();
        using var prober = new Prober(new NoExec());

        var passed = await prober.ProbeAsync(Pod(), Container, "c1", TcpProbe(open), CancellationToken.None);
        var refused = await prober.ProbeAsync(Pod(), Container, "c1", TcpProbe(closed), CancellationToken.None);

        Assert.Equal(ProbeResult.Success(), passed);
        Assert.Equal(ProbeResult.Failure($"dial tcp 127.0.0.1:{closed}: connect: connection refused"), refused);
    }

    [Fact]
    public async Task TcpSocket_AcceptQueueFull_FailsWithIoTimeout()
    {
        // A listener that never accepts, with a backlog of 1: once its queue is full the kernel drops new
        // SYNs, so a connect hangs until the probe's timeout.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                try
                {
                    await filler.ConnectAsync(IPAddress.Loopback, port, quick.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            using var prober = new Prober(new NoExec());
            var probe = TcpProbe(port);
            probe.TimeoutSeconds = 1;

            var result = await prober.ProbeAsync(Pod(), Container, "c1", probe, CancellationToken.None);

            Assert.Equal(ProbeResult.Failure($"dial tcp 127.0.0.1:{port}: i/o timeout"), result);
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task LifecycleHttpGet_AnyResponse_SucceedsWithLifecycleUserAgent()
    {
        var seen = new List<string>();
        await using var server = await LoopbackServer.StartAsync(app => app.MapGet("/hook", (HttpContext context) =>
        {
            lock (seen)
            {
                seen.Add(context.Request.Headers.UserAgent.ToString());
            }

            return Results.StatusCode(500);
        }));
        using var runner = new LifecycleHookRunner(new NoExec());
        var handler = new V1LifecycleHandler { HttpGet = new V1HTTPGetAction { Port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Path = "/hook" } };

        var message = await runner.RunAsync(Pod(), Container, "c1", handler, CancellationToken.None);

        Assert.Null(message);
        lock (seen)
        {
            Assert.Equal(["kube-lifecycle/1.33"], seen);
        }
    }

    [Fact]
    public async Task LifecycleHttpGet_NothingListening_UpstreamMessage()
    {
        var port = LoopbackServer.ClosedPort();
        using var runner = new LifecycleHookRunner(new NoExec());
        var handler = new V1LifecycleHandler { HttpGet = new V1HTTPGetAction { Host = "127.0.0.1", Port = port, Path = "/hook" } };

        var message = await runner.RunAsync(Pod(podIp: null), Container, "c1", handler, CancellationToken.None);

        Assert.Equal($"HTTP lifecycle hook (/hook) for Container \"main\" in Pod \"web_default(uid-1)\" failed - error: Get \"http://127.0.0.1:{port}/hook\": dial tcp 127.0.0.1:{port}: connect: connection refused", message);
    }

    [Fact]
    public async Task LifecycleHttpGet_NoHostAndNoPodIp_FailsClearly()
    {
        using var runner = new LifecycleHookRunner(new NoExec());
        var handler = new V1LifecycleHandler { HttpGet = new V1HTTPGetAction { Port = 80, Path = "/hook" } };

        var message = await runner.RunAsync(Pod(podIp: null), Container, "c1", handler, CancellationToken.None);

        Assert.Equal("HTTP lifecycle hook (/hook) for Container \"main\" in Pod \"web_default(uid-1)\" failed - error: failed to find networking container: the pod has no IP address", message);
    }

    [Fact]
    public async Task LifecycleSleep_Completes_ThenCancelled_UpstreamMessage()
    {
        using var runner = new LifecycleHookRunner(new NoExec());
        var handler = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 1 } };
        var longSleep = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 60 } };

        var done = await runner.RunAsync(Pod(), Container, "c1", handler, CancellationToken.None);
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var interrupted = await runner.RunAsync(Pod(), Container, "c1", longSleep, cancelled.Token);

        Assert.Null(done);
        Assert.Equal("Sleep lifecycle hook (60) for Container \"main\" in Pod \"web_default(uid-1)\" failed - error: container terminated before sleep hook finished", interrupted);
    }

    internal static V1Pod Pod(string? podIp = "127.0.0.1") => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = "uid-1" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main" }] },
        Status = new V1PodStatus { PodIP = podIp },
    };

    private static V1Probe HttpProbe(int port, string path) => new()
    {
        HttpGet = new V1HTTPGetAction { Port = port.ToString(System.Globalization.CultureInfo.InvariantCulture), Path = path },
        TimeoutSeconds = 10,
    };

    private static V1Probe TcpProbe(int port) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        TimeoutSeconds = 10,
    };

    private static Task<LoopbackServer> StartHttpServerAsync(bool https = false) => LoopbackServer.StartAsync(app =>
    {
        app.MapGet("/status/{code:int}", (int code) => Results.Text(code == 204 ? "" : $"status {code}", statusCode: code));
        app.MapGet("/redirect/same", () => Results.Redirect("/status/200"));
        app.MapGet("/redirect/other-host", (HttpContext context) =>
        {
            // localhost is not the probed host (127.0.0.1), so the probe must stop here.
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = $"http://localhost:{context.Connection.LocalPort}/status/200";
            return context.Response.WriteAsync("elsewhere");
        });
        app.MapGet("/redirect/loop", () => Results.Redirect("/redirect/loop"));
        app.MapGet("/headers", (HttpContext context) => Results.Text(
            $"ua={context.Request.Headers.UserAgent} accept={context.Request.Headers.Accept} x-probe={context.Request.Headers["X-Probe"]} host={context.Request.Headers.Host}"));
        app.MapGet("/big", () => Results.Text(new string('x', 1 << 20)));
        app.MapGet("/slow", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            return Results.Text("late");
        });
    }, https);
}
