using Microsoft.Extensions.Logging;

namespace Stevedore.Kubelet.Node;

public sealed partial class NodeAgent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Container runtime {Name} {Version} at {Socket}")]
    private static partial void LogRuntime(ILogger logger, string name, string version, string socket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for the container runtime at {Socket}: {Error}")]
    private static partial void LogWaitingForRuntime(ILogger logger, string socket, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} registered (InternalIP {Address})")]
    private static partial void LogRegistered(ILogger logger, string node, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} already registered; labels and status brought up to date")]
    private static partial void LogReRegistered(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not register node {Node}: {Error}; retrying")]
    private static partial void LogRegisterFailed(ILogger logger, string node, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update the status of node {Node}: {Error}")]
    private static partial void LogStatusFailed(ILogger logger, string node, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease of node {Node}: {Error}")]
    private static partial void LogLeaseFailed(ILogger logger, string node, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod CIDR {Cidr} handed to the runtime")]
    private static partial void LogPodCidr(ILogger logger, string cidr);

    [LoggerMessage(Level = LogLevel.Information, Message = "The runtime does not implement UpdateRuntimeConfig; pod CIDR {Cidr} not handed over")]
    private static partial void LogPodCidrUnsupported(ILogger logger, string cidr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The runtime refused pod CIDR {Cidr}: {Error}")]
    private static partial void LogPodCidrFailed(ILogger logger, string cidr, string error);
}
