using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Stevedore.Network.Dns.Server;

public sealed partial class DnsServer
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster DNS answering on {Endpoint} (UDP and TCP) for zone {Zone}; upstream: {Upstream}")]
    private static partial void LogStarted(ILogger logger, IPEndPoint endpoint, string zone, string upstream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster DNS on {Endpoint} stopped")]
    private static partial void LogStopped(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DNS receive failed: {Error}")]
    private static partial void LogReceiveFailed(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "DNS send failed: {Error}")]
    private static partial void LogSendFailed(ILogger logger, SocketError error);

    [LoggerMessage(Level = LogLevel.Error, Message = "DNS request handling failed")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No answer from DNS upstream {Upstream}: SERVFAIL sent")]
    private static partial void LogForwardFailed(ILogger logger, IPEndPoint upstream);
}
