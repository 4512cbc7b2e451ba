using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>Runs one attempt of a probe.</summary>
internal interface IProber
{
    /// <summary>Runs <paramref name="probe"/> once against a container; never throws for a failed or broken check.</summary>
    Task<ProbeResult> ProbeAsync(V1Pod pod, V1Container container, string containerId, V1Probe probe, CancellationToken cancellationToken);
}

/// <summary>
/// Dispatches a probe to its handler (exec, httpGet, tcpSocket, grpc). An attempt that errors (as opposed
/// to failing) is retried up to three times, as upstream does, before the error is reported.
/// </summary>
internal sealed class Prober(IContainerExec exec) : IProber, IDisposable
{
    private const int MaxAttempts = 3;
    private readonly ExecProber _exec = new(exec);
    private readonly HttpGetClient _http = new();

    public async Task<ProbeResult> ProbeAsync(V1Pod pod, V1Container container, string containerId, V1Probe probe, CancellationToken cancellationToken)
    {
        ProbeResult result = ProbeResult.Error("probe was not run");
        for (var attempt = 0; attempt < MaxAttempts && !cancellationToken.IsCancellationRequested; attempt++)
        {
            result = await ProbeOnceAsync(pod, container, containerId, probe, cancellationToken);
            if (result.Outcome != ProbeOutcome.Error)
            {
                break;
            }
        }

        return result;
    }

    public void Dispose() => _http.Dispose();

    private async Task<ProbeResult> ProbeOnceAsync(V1Pod pod, V1Container container, string containerId, V1Probe probe, CancellationToken cancellationToken)
    {
        var timeout = TimeSpan.FromSeconds(probe.TimeoutSeconds is > 0 and var seconds ? seconds : ProbeSettings.DefaultTimeoutSeconds);
        var podIp = PodIp(pod);
        if (probe.Exec is { } execAction)
        {
            return await _exec.ProbeAsync(containerId, [.. execAction.Command ?? []], timeout, cancellationToken);
        }

        if (probe.HttpGet is { } httpGet)
        {
            return await new HttpGetProber(_http).ProbeAsync(httpGet, container, podIp, timeout, cancellationToken);
        }

        if (probe.TcpSocket is { } tcpSocket)
        {
            return await TcpSocketProber.ProbeAsync(tcpSocket, container, podIp, timeout, cancellationToken);
        }

        if (probe.Grpc is { } grpc)
        {
            return await GrpcProber.ProbeAsync(podIp, grpc.Port, grpc.Service, timeout, cancellationToken);
        }

        return ProbeResult.Error($"missing probe handler for {UpstreamText.Pod(pod)}:{container.Name}");
    }

    /// <summary>The address probes and hooks go to when their action names no host.</summary>
    public static string? PodIp(V1Pod pod) =>
        !string.IsNullOrEmpty(pod.Status?.PodIP) ? pod.Status.PodIP : pod.Status?.PodIPs?.FirstOrDefault(p => !string.IsNullOrEmpty(p.Ip))?.Ip;
}
