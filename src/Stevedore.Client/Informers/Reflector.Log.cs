using Microsoft.Extensions.Logging;

namespace Stevedore.Client.Informers;

public sealed partial class Reflector<T>
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Kind}: {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string kind, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Kind} from resourceVersion {ResourceVersion} expired, relisting: {Reason}")]
    private static partial void LogExpired(ILogger logger, string kind, string resourceVersion, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Kind} from resourceVersion {ResourceVersion} failed, resuming")]
    private static partial void LogWatchFailed(ILogger logger, string kind, string resourceVersion, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List and watch of {Kind} failed, retrying")]
    private static partial void LogListFailed(ILogger logger, string kind, Exception exception);
}
