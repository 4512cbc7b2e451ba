using Microsoft.Extensions.Logging;

namespace Stevedore.Kubelet.Services;

public sealed partial class ServiceProxyController
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Service proxy synced: {ServicePorts} service ports, {Chains} chains, {Rules} rules ({Kind}, {Milliseconds:0.0} ms)")]
    private static partial void LogSynced(ILogger logger, int servicePorts, int chains, int rules, string kind, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service proxy rules not applied: {Error}; retrying")]
    private static partial void LogSyncFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Service proxy rules applied again")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service proxy left out: {Problems}")]
    private static partial void LogProblems(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service proxy table was changed by someone else ({Error}); replaced whole")]
    private static partial void LogReplacedAfterFailedUpdate(ILogger logger, string error);
}
