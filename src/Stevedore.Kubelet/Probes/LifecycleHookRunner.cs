using Grpc.Core;
using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// Runs postStart and preStop handlers: exec (in the container through CRI, no timeout of its own),
/// httpGet (any HTTP response counts as success, as upstream; only a failed request fails the hook) and
/// sleep. Failures come back as upstream's message, e.g.
/// <c>Exec lifecycle hook ([sh -c exit 1]) for Container "app" in Pod "web_default(uid)" failed - error: command 'sh -c exit 1' exited with 1: , message: ""</c>.
/// Cancellation (the grace period ran out, the container is being stopped) ends the handler and reports
/// it as failed rather than throwing, so the caller always gets an answer.
/// </summary>
public sealed class LifecycleHookRunner : ILifecycleHookRunner, IDisposable
{
    private readonly IContainerExec _exec;
    private readonly TimeProvider _time;
    private readonly HttpGetClient _http = new();

    public LifecycleHookRunner(IContainerExec exec, TimeProvider? time = null)
    {
        _exec = exec;
        _time = time ?? TimeProvider.System;
    }

    public async Task<string?> RunAsync(V1Pod pod, V1Container container, string containerId, V1LifecycleHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(handler);
        var where = $"for Container {UpstreamText.Quote(container.Name)} in Pod {UpstreamText.Quote(UpstreamText.Pod(pod))}";
        if (handler.Exec is { } exec)
        {
            var error = await RunExecAsync(containerId, exec.Command ?? [], cancellationToken);
            return error is null ? null : $"Exec lifecycle hook ({UpstreamText.Slice(exec.Command)}) {where} failed - error: {error.Value.Error}, message: {UpstreamText.Quote(error.Value.Output)}";
        }

        if (handler.HttpGet is { } httpGet)
        {
            var error = await RunHttpGetAsync(pod, container, httpGet, cancellationToken);
            return error is null ? null : $"HTTP lifecycle hook ({httpGet.Path}) {where} failed - error: {error}";
        }

        if (handler.Sleep is { } sleep)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, sleep.Seconds)), _time, cancellationToken);
                return null;
            }
            catch (OperationCanceledException)
            {
                return $"Sleep lifecycle hook ({sleep.Seconds}) {where} failed - error: container terminated before sleep hook finished";
            }
        }

        return "Cannot run handler: invalid handler: it has none of exec, httpGet and sleep";
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Null when the command exited 0; otherwise the error and the command's output, as upstream prints them.</summary>
    private async Task<(string Error, string Output)?> RunExecAsync(string containerId, IList<string> command, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            return ("exec lifecycle hook has no command", "");
        }

        ExecOutcome outcome;
        try
        {
            outcome = await _exec.ExecAsync(containerId, [.. command], TimeSpan.Zero, cancellationToken);
        }
        catch (RpcException ex)
        {
            return (CriError.Describe(ex), "");
        }
        catch (OperationCanceledException)
        {
            return ("context canceled", "");
        }

        if (outcome.ExitCode == 0 && !outcome.TimedOut)
        {
            return null;
        }

        var stderr = System.Text.Encoding.UTF8.GetString(outcome.Stderr);
        var error = outcome.TimedOut
            ? $"command {UpstreamText.Quote(string.Join(' ', command))} timed out"
            : $"command '{string.Join(' ', command)}' exited with {outcome.ExitCode}: {stderr}";
        return (error, ExecProber.CombinedOutput(outcome));
    }

    /// <summary>Null when any response came back; otherwise why the request failed.</summary>
    private async Task<string?> RunHttpGetAsync(V1Pod pod, V1Container container, V1HTTPGetAction action, CancellationToken cancellationToken)
    {
        var podIp = Prober.PodIp(pod);
        if (string.IsNullOrEmpty(action.Host) && string.IsNullOrEmpty(podIp))
        {
            return "failed to find networking container: the pod has no IP address";
        }

        if (HttpGetClient.TargetOf(action, container, podIp, out var error) is not { } target)
        {
            return error;
        }

        try
        {
            var result = await _http.GetAsync(target, action.HttpHeaders, "lifecycle", TimeSpan.Zero, cancellationToken);
            return result.StatusCode is null ? result.Error : null;
        }
        catch (OperationCanceledException)
        {
            return $"Get {UpstreamText.Quote(target.OriginalString)}: context canceled";
        }
    }
}
