using Microsoft.Extensions.Logging;

namespace Stevedore.Client.LeaderElection;

public sealed partial class LeaderElector
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} acquired lease {Namespace}/{Name}")]
    private static partial void LogAcquired(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost lease {Namespace}/{Name}")]
    private static partial void LogLost(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released lease {Namespace}/{Name}")]
    private static partial void LogReleased(ILogger logger, string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Identity}: lease attempt failed")]
    private static partial void LogAttemptFailed(ILogger logger, string identity, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Identity}: the leading work failed")]
    private static partial void LogLeadingFailed(ILogger logger, string identity, Exception exception);
}
