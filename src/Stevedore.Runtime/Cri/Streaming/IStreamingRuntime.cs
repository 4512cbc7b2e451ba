using Stevedore.Cri.Streaming.RemoteCommand;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>What the streaming server needs from a container runtime (upstream's streaming.Runtime).</summary>
public interface IStreamingRuntime
{
    /// <summary>Runs <paramref name="command"/> in a running container with the given streams; returns its exit code.</summary>
    Task<int> ExecAsync(string containerId, IReadOnlyList<string> command, bool tty, Stream? stdin, Stream? stdout, Stream? stderr,
        IAsyncEnumerable<TerminalSize>? sizes, CancellationToken cancellationToken);

    /// <summary>Connects the streams to a running container's main process until it exits.</summary>
    Task AttachAsync(string containerId, Stream? stdin, Stream? stdout, Stream? stderr, IAsyncEnumerable<TerminalSize>? sizes, CancellationToken cancellationToken);

    /// <summary>A connection to localhost:<paramref name="port"/> inside the sandbox's network namespace.</summary>
    Task<Stream> ConnectAsync(string sandboxId, int port, CancellationToken cancellationToken);
}
