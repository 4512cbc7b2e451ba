namespace Stevedore.Network.Dns.Server;

/// <summary>Counters of one server, for logs, tests and benchmarks.</summary>
public sealed class DnsServerStatistics
{
    private long _received;
    private long _malformed;
    private long _forwarded;
    private long _forwardFailures;
    private long _tcpRefused;

    /// <summary>Requests read (UDP datagrams and TCP messages).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Requests that were dropped or answered FORMERR.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Forwarded requests answered SERVFAIL (upstream silent, unreachable, or too many in flight).</summary>
    public long ForwardFailures => Interlocked.Read(ref _forwardFailures);

    /// <summary>TCP connections closed at once because <see cref="DnsServerOptions.MaxTcpConnections"/> were open.</summary>
    public long TcpRefused => Interlocked.Read(ref _tcpRefused);

    internal void CountReceived() => Interlocked.Increment(ref _received);

    internal void CountMalformed() => Interlocked.Increment(ref _malformed);

    internal void CountForwarded() => Interlocked.Increment(ref _forwarded);

    internal void CountForwardFailure() => Interlocked.Increment(ref _forwardFailures);

    internal void CountTcpRefused() => Interlocked.Increment(ref _tcpRefused);
}
