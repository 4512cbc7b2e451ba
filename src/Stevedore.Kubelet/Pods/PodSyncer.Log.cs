using Microsoft.Extensions.Logging;

namespace Stevedore.Kubelet.Pods;

internal sealed partial class PodSyncer
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod {Namespace}/{Name}: kill pod {KillPod}, new sandbox {CreateSandbox}, kill [{Kill}], start [{Start}]")]
    private static partial void LogActions(ILogger logger, string @namespace, string name, bool killPod, bool createSandbox, string kill, string start);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: sandbox {SandboxId} created (attempt {Attempt})")]
    private static partial void LogSandboxCreated(ILogger logger, string @namespace, string name, string sandboxId, uint attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Namespace}/{Name}: the runtime could not create a sandbox: {Error}")]
    private static partial void LogSandboxFailed(ILogger logger, string @namespace, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: container {Container} started ({ContainerId})")]
    private static partial void LogContainerStarted(ILogger logger, string @namespace, string name, string container, string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Namespace}/{Name}: container {Container} could not start: {Error}")]
    private static partial void LogStartFailed(ILogger logger, string @namespace, string name, string container, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Container} ({ContainerId}) stopped with {GraceSeconds} s of grace")]
    private static partial void LogContainerKilled(ILogger logger, string container, string containerId, long graceSeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod {Namespace}/{Name}: status written, phase {Phase}")]
    private static partial void LogStatusWritten(ILogger logger, string @namespace, string name, string phase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: terminated and deleted")]
    private static partial void LogPodDeleted(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Uid}: no pod wants it any more; its containers and sandboxes were removed")]
    private static partial void LogOrphanRemoved(ILogger logger, string uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove {Path}: {Error}")]
    private static partial void LogCleanupFailed(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the log files of container {ContainerId}: {Error}")]
    private static partial void LogLogRemovalFailed(ILogger logger, string containerId, string error);
}
