using Grpc.Core;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Stevedore.Kubelet.Probes;
using Stevedore.Kubelet.Probes.Health;

namespace Stevedore.Kubelet.NodeTests.Probes;

/// <summary>grpc probes against a real gRPC server (Kestrel, cleartext HTTP/2) on 127.0.0.1.</summary>
public sealed class GrpcProbeNodeTests
{
    private static readonly V1Container Container = new() { Name = "main" };

    [Theory]
    [InlineData(null, ProbeOutcome.Success, "service healthy")]
    [InlineData("db", ProbeOutcome.Success, "service healthy")]
    [InlineData("down", ProbeOutcome.Failure, "service unhealthy (responded with \"NOT_SERVING\")")]
    [InlineData("unset", ProbeOutcome.Failure, "service unhealthy (responded with \"UNKNOWN\")")]
    [InlineData("missing", ProbeOutcome.Failure, "error: health rpc probe failed: rpc error: code = NotFound desc = unknown service")]
    public async Task Grpc_HealthAnswers_OutcomeByServingStatus(string? service, ProbeOutcome outcome, string output)
    {
        await using var server = await StartHealthServerAsync();
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", GrpcProbe(server.Port, service, timeoutSeconds: 10), CancellationToken.None);

        Assert.Equal(new ProbeResult(outcome, output), result);
    }

    [Fact]
    public async Task Grpc_SentUserAgent_IsKubeProbe()
    {
        await using var server = await StartHealthServerAsync();
        using var prober = new Prober(new NoExec());

        await prober.ProbeAsync(Pod(), Container, "c1", GrpcProbe(server.Port, "db", timeoutSeconds: 10), CancellationToken.None);

        Assert.Contains("kube-probe/1.33", TestHealthService.UserAgents);
    }

    [Fact]
    public async Task Grpc_SlowerThanTimeout_FailsWithUpstreamTimeoutMessage()
    {
        await using var server = await StartHealthServerAsync();
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", GrpcProbe(server.Port, "slow", timeoutSeconds: 1), CancellationToken.None);

        Assert.Equal(ProbeResult.Failure("timeout: health rpc did not complete within 1s"), result);
    }

    [Fact]
    public async Task Grpc_ServerWithoutHealthService_FailsAsNotImplementingTheProtocol()
    {
        await using var server = await LoopbackServer.StartAsync(_ => { }, http2Only: true, services: s => s.AddGrpc());
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", GrpcProbe(server.Port, null, timeoutSeconds: 10), CancellationToken.None);

        Assert.Equal(ProbeOutcome.Failure, result.Outcome);
        Assert.StartsWith("error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_NothingListening_FailsToConnect()
    {
        var port = LoopbackServer.ClosedPort();
        using var prober = new Prober(new NoExec());

        var result = await prober.ProbeAsync(Pod(), Container, "c1", GrpcProbe(port, null, timeoutSeconds: 10), CancellationToken.None);

        Assert.Equal(ProbeResult.Failure($"error: failed to connect service at \"127.0.0.1:{port}\": dial tcp 127.0.0.1:{port}: connect: connection refused"), result);
    }

    private static V1Pod Pod() => HttpProbeNodeTests.Pod();

    private static V1Probe GrpcProbe(int port, string? service, int timeoutSeconds) => new()
    {
        Grpc = new V1GRPCAction { Port = port, Service = service },
        TimeoutSeconds = timeoutSeconds,
    };

    private static Task<LoopbackServer> StartHealthServerAsync() =>
        LoopbackServer.StartAsync(app => app.MapGrpcService<TestHealthService>(), http2Only: true, services: s => s.AddGrpc());

    /// <summary>A health service whose answer depends on the asked service name.</summary>
    private sealed class TestHealthService : Health.HealthBase
    {
        public static readonly System.Collections.Concurrent.ConcurrentBag<string> UserAgents = [];

        public override async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
        {
            UserAgents.Add(context.RequestHeaders.GetValue("user-agent") ?? "");
            switch (request.Service)
            {
                case "" or "db":
                    return new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving };
                case "down":
                    return new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.NotServing };
                case "unset":
                    return new HealthCheckResponse();
                case "slow":
                    await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
                    return new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving };
                default:
                    throw new RpcException(new Status(StatusCode.NotFound, "unknown service"));
            }
        }
    }
}
