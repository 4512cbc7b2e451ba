using Microsoft.Extensions.Logging;

namespace Stevedore.Kubelet.Probes;

public sealed partial class ProbeManager
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Namespace}/{Name} container {Container}: {Kind} probe result is now {Healthy}")]
    private static partial void LogResultChanged(ILogger logger, string? @namespace, string? name, string container, string kind, bool healthy);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Namespace}/{Name} container {Container}: a probe result handler failed")]
    private static partial void LogHandlerFailed(ILogger logger, string? @namespace, string? name, string container, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Namespace}/{Name} container {Container}: the {Kind} probe threw")]
    internal static partial void LogProbeThrew(ILogger logger, string? @namespace, string? name, string container, string kind, Exception exception);
}
