using Stevedore.Cri.Streaming.RemoteCommand;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>A streaming session a CRI call prepared, waiting in the cache for its client to connect.</summary>
public abstract record StreamingRequest;

/// <summary>CRI Exec.</summary>
public sealed record ExecStreamingRequest(string ContainerId, IReadOnlyList<string> Command, RemoteCommandOptions Options) : StreamingRequest;

/// <summary>CRI Attach.</summary>
public sealed record AttachStreamingRequest(string ContainerId, RemoteCommandOptions Options) : StreamingRequest;

/// <summary>CRI PortForward.</summary>
public sealed record PortForwardStreamingRequest(string SandboxId) : StreamingRequest;
