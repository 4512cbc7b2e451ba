using Stevedore.Kubelet.Probes;

namespace Stevedore.Kubelet.NodeTests.Probes;

/// <summary>Stands in where a test never reaches an exec (network probes and hooks); any call is a test bug.</summary>
internal sealed class NoExec : IContainerExec
{
    public Task<ExecOutcome> ExecAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("no exec expected in this test");
}
