using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Native;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>The streaming runtime over the engine: runc exec, the supervisor's attach socket, and the sandbox's network namespace (pinned, or the pause container's).</summary>
public sealed class EngineStreamingRuntime(ContainerEngine engine) : IStreamingRuntime
{
    public Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, bool tty, Stream? stdin, Stream? stdout, Stream? stderr,
        IAsyncEnumerable<Stevedore.Cri.Streaming.RemoteCommand.TerminalSize>? sizes, CancellationToken cancellationToken) =>
        engine.ExecAsync(containerId, new ExecOptions { Args = command, Tty = tty, TerminalSizes = Convert(sizes) }, stdin, stdout, stderr, cancellationToken);

    public Task AttachAsync(string containerId, Stream? stdin, Stream? stdout, Stream? stderr,
        IAsyncEnumerable<Stevedore.Cri.Streaming.RemoteCommand.TerminalSize>? sizes, CancellationToken cancellationToken) =>
        engine.AttachAsync(containerId, stdin, stdout, stderr, Convert(sizes), cancellationToken);

    public async Task<Stream> ConnectAsync(string sandboxId, int port, CancellationToken cancellationToken)
    {
        var sandbox = await engine.InspectContainerAsync(sandboxId, cancellationToken);
        string netns;
        if (CriMetadata.From(sandbox.Options.Labels) is { PinnedNamespaces: true } pinned)
        {
            // No pause container: the pod's network namespace is the pinned file (the node's for host network).
            if (pinned.Stopped)
            {
                throw new EngineException(EngineErrorKind.Conflict, $"pod sandbox {sandboxId} is not ready");
            }

            netns = pinned.HostNetwork ? "/proc/self/ns/net" : pinned.NetnsPath;
        }
        else
        {
            if (sandbox.Status != Containers.ContainerStatus.Running || sandbox.Pid == 0)
            {
                throw new EngineException(EngineErrorKind.Conflict, $"pod sandbox {sandboxId} is not running");
            }

            netns = $"/proc/{sandbox.Pid}/ns/net";
        }

        var socket = await NetworkNamespace.ConnectLoopbackAsync(netns, port, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static async IAsyncEnumerable<Containers.TerminalSize> ConvertAsync(
        IAsyncEnumerable<Stevedore.Cri.Streaming.RemoteCommand.TerminalSize> sizes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var size in sizes.WithCancellation(cancellationToken))
        {
            yield return new Containers.TerminalSize(size.Width, size.Height);
        }
    }

    private static IAsyncEnumerable<Containers.TerminalSize>? Convert(IAsyncEnumerable<Stevedore.Cri.Streaming.RemoteCommand.TerminalSize>? sizes) =>
        sizes is null ? null : ConvertAsync(sizes);
}
