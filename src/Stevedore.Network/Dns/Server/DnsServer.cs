using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Stevedore.Network.Dns.Server;

/// <summary>
/// The cluster DNS server: UDP and TCP on one address and port, answering from the
/// <see cref="DnsRecordStore"/>'s current snapshot. Every request is handled inside its loop with
/// every failure caught, so no input (fuzzed, truncated, hostile) stops it answering. UDP responses
/// larger than the client accepts are truncated with TC; TCP carries up to 64 KiB.
/// </summary>
public sealed partial class DnsServer : IAsyncDisposable
{
    private const int UdpReceiveBufferBytes = 4 << 20;

    private readonly DnsServerOptions _options;
    private readonly DnsRecordStore _store;
    private readonly DnsResolver _resolver;
    private readonly DnsForwarder? _forwarder;
    private readonly SemaphoreSlim _forwardSlots;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly List<Thread> _udpThreads = [];
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private int _connections;
    private int _disposed;

    private DnsServer(DnsServerOptions options, DnsRecordStore store, Socket udp, Socket tcp)
    {
        _options = options;
        _store = store;
        _resolver = new DnsResolver(options.Zone);
        _forwarder = options.Upstream is { } upstream ? new DnsForwarder(upstream, options.UpstreamTimeout) : null;
        _forwardSlots = new SemaphoreSlim(options.MaxConcurrentForwards);
        _udp = udp;
        _tcp = tcp;
        _logger = options.LoggerFactory.CreateLogger<DnsServer>();
        LocalEndPoint = (IPEndPoint)udp.LocalEndPoint!;
    }

    /// <summary>The address and port served (UDP and TCP alike).</summary>
    public IPEndPoint LocalEndPoint { get; }

    public DnsServerStatistics Statistics { get; } = new();

    /// <summary>UDP receiver threads still running (none once disposed).</summary>
    internal int RunningUdpReceivers => _udpThreads.Count(t => t.IsAlive);

    /// <summary>Binds UDP and TCP and starts answering.</summary>
    /// <exception cref="SocketException">The address is not local, or the port is taken.</exception>
    public static DnsServer Start(DnsServerOptions options, DnsRecordStore store)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        options.Zone.Validate();
        var (udp, tcp) = Bind(options.Listen);
        var server = new DnsServer(options, store, udp, tcp);
        server.Run();
        return server;
    }

    private static (Socket Udp, Socket Tcp) Bind(IPEndPoint listen)
    {
        // With port 0 the kernel picks the UDP port; TCP must get the same one, so try again if it is taken for TCP.
        for (var attempt = 0; ; attempt++)
        {
            var udp = new Socket(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            Socket? tcp = null;
            try
            {
                udp.Bind(listen);
                // Bursts from many pods at once queue in the kernel instead of being dropped.
                udp.ReceiveBufferSize = UdpReceiveBufferBytes;
                // No receive timeout: the receiving threads block until a datagram comes or the socket is shut
                // down (DisposeAsync). A timeout woke each thread twice a second and threw a SocketException
                // each time, most of an idle agent's exceptions.
                var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
                tcp = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                tcp.Bind(new IPEndPoint(listen.Address, port));
                tcp.Listen(128);
                return (udp, tcp);
            }
            catch (SocketException ex) when (listen.Port == 0 && ex.SocketErrorCode == SocketError.AddressAlreadyInUse && attempt < 20)
            {
                udp.Dispose();
                tcp?.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp?.Dispose();
                throw;
            }
        }
    }

    private void Run()
    {
        for (var i = 0; i < Math.Max(1, _options.UdpReceivers); i++)
        {
            var thread = new Thread(() => UdpLoop(_stop.Token)) { IsBackground = true, Name = $"dns-udp-{i}" };
            _udpThreads.Add(thread);
            thread.Start();
        }

        _loops.Add(Task.Run(() => AcceptLoopAsync(_stop.Token)));
        LogStarted(_logger, LocalEndPoint, _options.Zone.Key, _forwarder?.Upstream.ToString() ?? "none");
    }

    private DnsResponder NewResponder() => new(_resolver, _store, Statistics, _options.MaxUdpPayload, _forwarder is not null);

    /// <summary>
    /// One UDP receiver: a thread of its own in a blocking receive, answering inline. Blocking on a
    /// dedicated thread saves the hand-off from the socket engine to the thread pool on every
    /// datagram (two context switches), which is most of the cost of a query and most of its
    /// latency on a busy machine. Shutting the socket down (disposal) wakes the blocked receive, which
    /// then returns nothing and the thread sees the stop.
    /// </summary>
    private void UdpLoop(CancellationToken cancellationToken)
    {
        var request = new byte[DnsResponder.MaxMessage];
        var response = new byte[DnsResponder.MaxMessage];
        var responder = NewResponder();
        var peer = new SocketAddress(_udp.AddressFamily);
        while (!cancellationToken.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _udp.ReceiveFrom(request, SocketFlags.None, peer);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted or SocketError.OperationAborted)
            {
                continue;
            }
            catch (SocketException ex)
            {
                // E.g. an ICMP error from an earlier send surfacing here: the socket is still fine.
                LogReceiveFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            try
            {
                switch (responder.Respond(request.AsSpan(0, received), response, tcp: false, out var length))
                {
                    case DnsOutcome.Send:
                        _udp.SendTo(response.AsSpan(0, length), SocketFlags.None, peer);
                        break;
                    case DnsOutcome.Forward:
                        Track(ForwardUdpAsync(request.AsSpan(0, received).ToArray(), Copy(peer), cancellationToken));
                        break;
                }
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogSendFailed(_logger, ex.SocketErrorCode);
            }
#pragma warning disable CA1031 // One bad request must never stop the loop; it is logged as the bug it is.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogRequestFailed(_logger, ex);
            }
        }
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.CopyTo(copy.Buffer);
        return copy;
    }

    private async Task ForwardUdpAsync(byte[] request, SocketAddress peer, CancellationToken cancellationToken)
    {
        var reply = await ForwardAsync(request, tcp: false, cancellationToken);
        if (reply.Length > 0)
        {
            try
            {
                // Synchronous like the receivers' sends: an async operation would switch the socket to non-blocking for good.
                _udp.SendTo(reply, SocketFlags.None, peer);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>The upstream's reply, or a SERVFAIL written here when there is none (empty when the request cannot be answered).</summary>
    private async Task<byte[]> ForwardAsync(byte[] request, bool tcp, CancellationToken cancellationToken)
    {
        byte[]? reply = null;
        if (_forwardSlots.Wait(0))
        {
            try
            {
                reply = await _forwarder!.ForwardAsync(request, tcp, cancellationToken);
            }
            finally
            {
                _forwardSlots.Release();
            }
        }

        if (reply is not null)
        {
            return reply;
        }

        Statistics.CountForwardFailure();
        LogForwardFailed(_logger, _forwarder!.Upstream);
        var buffer = new byte[DnsResponder.MaxMessage];
        var length = NewResponder().Failure(request, buffer, tcp);
        return buffer[..length];
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogReceiveFailed(_logger, ex.SocketErrorCode);
                continue;
            }

            if (Interlocked.Increment(ref _connections) > _options.MaxTcpConnections)
            {
                Interlocked.Decrement(ref _connections);
                Statistics.CountTcpRefused();
                client.Dispose();
                continue;
            }

            Track(ServeConnectionAsync(client, cancellationToken));
        }
    }

    /// <summary>Answers the queries of one TCP connection in order until the client closes, idles, or sends garbage.</summary>
    private async Task ServeConnectionAsync(Socket client, CancellationToken cancellationToken)
    {
        var responder = NewResponder();
        var prefix = new byte[2];
        try
        {
            using (client)
            {
                while (true)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(_options.TcpIdleTimeout);
                    if (!await DnsTcp.ReadExactlyAsync(client, prefix, idle.Token))
                    {
                        return;
                    }

                    var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                    var request = ArrayPool<byte>.Shared.Rent(length);
                    var response = ArrayPool<byte>.Shared.Rent(DnsResponder.MaxMessage + 2);
                    try
                    {
                        if (length == 0 || !await DnsTcp.ReadExactlyAsync(client, request.AsMemory(0, length), idle.Token))
                        {
                            return;
                        }

                        int answerLength;
                        switch (responder.Respond(request.AsSpan(0, length), response.AsSpan(2, DnsResponder.MaxMessage), tcp: true, out answerLength))
                        {
                            case DnsOutcome.Drop:
                                // Not a query: nothing sensible can follow on this stream.
                                return;
                            case DnsOutcome.Forward:
                                var reply = await ForwardAsync(request[..length], tcp: true, idle.Token);
                                reply.CopyTo(response, 2);
                                answerLength = reply.Length;
                                break;
                        }

                        if (answerLength == 0)
                        {
                            return;
                        }

                        BinaryPrimitives.WriteUInt16BigEndian(response, (ushort)answerLength);
                        await client.SendAsync(response.AsMemory(0, answerLength + 2), SocketFlags.None, idle.Token);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(request);
                        ArrayPool<byte>.Shared.Return(response);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
#pragma warning disable CA1031 // A connection's failure ends that connection only.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogRequestFailed(_logger, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private void Track(Task task)
    {
        _inFlight[task] = true;
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Stops answering: closes both sockets and waits for the loops and open connections to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            // Wakes the receivers blocked in recvfrom (Linux does so even for an unconnected UDP socket,
            // whose shutdown reports ENOTCONN), before the socket is closed under them.
            _udp.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _udp.Dispose();
        _tcp.Dispose();
        foreach (var thread in _udpThreads)
        {
            // Bounded only in case a kernel does not wake them: they are background threads.
            thread.Join(TimeSpan.FromSeconds(30));
        }

        await Task.WhenAll([.. _loops, .. _inFlight.Keys]).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _stop.Dispose();
        _forwardSlots.Dispose();
        LogStopped(_logger, LocalEndPoint);
    }
}
