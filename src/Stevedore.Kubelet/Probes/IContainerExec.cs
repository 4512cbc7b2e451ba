namespace Stevedore.Kubelet.Probes;

/// <summary>Runs a command in a running container and waits for it (CRI ExecSync).</summary>
public interface IContainerExec
{
    /// <summary>
    /// Runs <paramref name="command"/>; a command still running after <paramref name="timeout"/> is killed and
    /// reported as timed out. A timeout of zero or less waits until the command ends or
    /// <paramref name="cancellationToken"/> fires (which also ends the command). Runtime errors (no such
    /// container, container not running) are thrown as <see cref="Grpc.Core.RpcException"/>.
    /// </summary>
    Task<ExecOutcome> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>What an exec printed and how it ended.</summary>
public sealed record ExecOutcome(int ExitCode, byte[] Stdout, byte[] Stderr, bool TimedOut);
