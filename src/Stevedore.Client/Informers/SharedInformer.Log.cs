using Microsoft.Extensions.Logging;

namespace Stevedore.Client.Informers;

public sealed partial class SharedInformer<T>
{
    [LoggerMessage(Level = LogLevel.Error, Message = "An event handler of the {Kind} informer threw")]
    private static partial void LogHandlerFailed(ILogger logger, string kind, Exception exception);
}
