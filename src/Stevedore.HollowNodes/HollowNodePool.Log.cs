using Microsoft.Extensions.Logging;

namespace Stevedore.HollowNodes;

public sealed partial class HollowNodePool
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} hollow nodes ({Prefix}*) registered and heartbeating")]
    private static partial void LogStarted(ILogger logger, int count, string prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the lease of node {Node} failed")]
    private static partial void LogLeaseFailed(ILogger logger, string node, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pod {Namespace}/{Name} on {Node}: {Phase}")]
    private static partial void LogPodStatus(ILogger logger, string @namespace, string name, string node, string phase);
}
