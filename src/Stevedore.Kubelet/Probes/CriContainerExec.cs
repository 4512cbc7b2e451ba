using Grpc.Core;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// <see cref="IContainerExec"/> over CRI ExecSync. The runtime enforces the timeout (it kills the
/// command); the call's own deadline is a little later so that the runtime's answer, not a client-side
/// cancellation, normally ends the call. Either way a deadline is reported as <see cref="ExecOutcome.TimedOut"/>.
/// </summary>
public sealed class CriContainerExec(RuntimeService.RuntimeServiceClient runtime) : IContainerExec
{
    /// <summary>How much longer than the command's timeout the gRPC call may take.</summary>
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromSeconds(5);

    public async Task<ExecOutcome> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(containerId);
        ArgumentNullException.ThrowIfNull(command);
        var request = new ExecSyncRequest
        {
            ContainerId = containerId,
            // CRI counts whole seconds; round up so a 1.5 s timeout never becomes 1 s, and never 0 (= forever).
            Timeout = timeout > TimeSpan.Zero ? (long)Math.Ceiling(timeout.TotalSeconds) : 0,
        };
        request.Cmd.AddRange(command);
        DateTime? deadline = timeout > TimeSpan.Zero ? DateTime.UtcNow + TimeSpan.FromSeconds(request.Timeout) + DeadlineSlack : null;
        try
        {
            var response = await runtime.ExecSyncAsync(request, deadline: deadline, cancellationToken: cancellationToken);
            return new ExecOutcome(response.ExitCode, response.Stdout.ToByteArray(), response.Stderr.ToByteArray(), TimedOut: false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded && !cancellationToken.IsCancellationRequested)
        {
            return new ExecOutcome(-1, [], [], TimedOut: true);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the exec was cancelled", ex, cancellationToken);
        }
    }
}
