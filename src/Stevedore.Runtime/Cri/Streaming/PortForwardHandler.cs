using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.Streaming.Spdy;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>
/// The server side of port-forward: a SPDY session (upgraded directly, or tunnelled in a WebSocket
/// with <c>SPDY/3.1+portforward.k8s.io</c>) in which each forwarded connection is an error stream
/// and a data stream sharing a request ID; the data stream is spliced to localhost:port inside the
/// pod's network namespace, failures are written to the error stream.
/// </summary>
internal static class PortForwardHandler
{
    public static async Task ServeAsync(HttpContext context, string sandboxId, IStreamingRuntime runtime)
    {
        var transport = WebSocketAccept.IsWebSocketRequest(context.Request) ? await UpgradeTunnelAsync(context) : await UpgradeSpdyAsync(context);
        if (transport is null)
        {
            return;
        }

        await using var connection = new SpdyConnection(transport, isServer: true, Validate);
        connection.Start();
        var pairs = new Dictionary<string, StreamPair>();
        var forwards = new List<Task>();
        try
        {
            while (true)
            {
                var stream = await connection.AcceptStreamAsync(connection.Closed);
                var requestId = RequestIdOf(stream);
                if (!pairs.TryGetValue(requestId, out var pair))
                {
                    pairs[requestId] = pair = new StreamPair(requestId);
                    _ = ExpireAsync(pair, pairs, connection.Closed);
                }

                if (!pair.Add(stream, out var problem))
                {
                    await pair.ReportAsync($"error processing stream for request {requestId}: {problem}");
                    continue;
                }

                if (pair.Complete)
                {
                    lock (pairs)
                    {
                        pairs.Remove(requestId);
                    }

                    forwards.Add(ForwardAsync(pair, sandboxId, runtime, connection.Closed));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client ended the session.
        }

        await Task.WhenAll(forwards).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private static string? Validate(SpdyHeaders headers)
    {
        var port = headers.Get(StreamHeaders.Port);
        if (string.IsNullOrEmpty(port))
        {
            return $"\"{StreamHeaders.Port}\" header is required";
        }

        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return $"unable to parse \"{port}\" as a port";
        }

        return headers.Get(StreamHeaders.StreamType) switch
        {
            null or "" => $"\"{StreamHeaders.StreamType}\" header is required",
            StreamHeaders.Error or StreamHeaders.Data => null,
            var other => $"invalid stream type \"{other}\"",
        };
    }

    /// <summary>The request ID; for clients too old to send one, derived from the stream ID as upstream does.</summary>
    private static string RequestIdOf(SpdyStream stream)
    {
        var id = stream.Headers.Get(StreamHeaders.RequestId);
        if (!string.IsNullOrEmpty(id))
        {
            return id;
        }

        var streamId = stream.Headers.Get(StreamHeaders.StreamType) == StreamHeaders.Data ? stream.Id - 2 : stream.Id;
        return streamId.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task ExpireAsync(StreamPair pair, Dictionary<string, StreamPair> pairs, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RemoteCommandSession.StreamCreationTimeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (pairs)
        {
            if (pair.Complete || !pairs.Remove(pair.RequestId))
            {
                return;
            }
        }

        await pair.ReportAsync($"timed out waiting for streams of request {pair.RequestId}");
        await pair.CloseAsync();
    }

    private static async Task ForwardAsync(StreamPair pair, string sandboxId, IStreamingRuntime runtime, CancellationToken cancellationToken)
    {
        var data = pair.Data!;
        var port = int.Parse(data.Headers.Get(StreamHeaders.Port)!, CultureInfo.InvariantCulture);
        try
        {
            Stream target;
            try
            {
                target = await runtime.ConnectAsync(sandboxId, port, cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or IOException or EngineException)
            {
                var reason = ex is SocketException socket
                    ? $"failed to connect to localhost:{port} inside the pod's network namespace: {DescribeSocketError(socket)}"
                    : ex.Message;
                await pair.ReportAsync($"error forwarding port {port} to pod {sandboxId}, uid : {reason}");
                return;
            }

            await using (target)
            {
                var toPod = CopyAsync(data, target, () => (target as NetworkStream)?.Socket.Shutdown(SocketShutdown.Send), cancellationToken);
                var fromPod = CopyAsync(target, data, () => _ = data.CloseWriteAsync(CancellationToken.None), cancellationToken);
                if (await Task.WhenAny(toPod, fromPod) == toPod)
                {
                    // The client finished sending; the pod may still answer.
                    await fromPod;
                }
            }
        }
        finally
        {
            await pair.CloseAsync();
        }
    }

    private static async Task CopyAsync(Stream from, Stream to, Action finished, CancellationToken cancellationToken)
    {
        try
        {
            await from.CopyToAsync(to, cancellationToken);
            finished();
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static string DescribeSocketError(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connect: connection refused",
        SocketError.TimedOut => "connect: connection timed out",
        _ => ex.Message,
    };

    private static async Task<Stream?> UpgradeSpdyAsync(HttpContext context)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true }
            || !context.Request.Headers.Upgrade.ToString().Contains(StreamProtocols.SpdyUpgrade, StringComparison.OrdinalIgnoreCase))
        {
            await RemoteCommandSession.RejectAsync(context, 400, "unable to upgrade: missing upgrade headers in request");
            return null;
        }

        var offered = context.Request.Headers[StreamProtocols.VersionHeader].Select(v => v ?? "").ToList();
        var protocol = StreamProtocols.Negotiate(offered, [StreamProtocols.PortForward]);
        if (protocol is null)
        {
            context.Response.Headers.Append("X-Accepted-Stream-Protocol-Versions", StreamProtocols.PortForward);
            await RemoteCommandSession.RejectAsync(context, 403, $"unable to upgrade: unable to negotiate protocol: client supports [{string.Join(' ', offered)}], server accepts [{StreamProtocols.PortForward}]");
            return null;
        }

        context.Response.Headers.Upgrade = StreamProtocols.SpdyUpgrade;
        if (protocol.Length > 0)
        {
            context.Response.Headers[StreamProtocols.VersionHeader] = protocol;
        }

        return await upgrade.UpgradeAsync();
    }

    private static async Task<Stream?> UpgradeTunnelAsync(HttpContext context)
    {
        if (!await WebSocketAccept.CheckAsync(context))
        {
            return null;
        }

        var requested = WebSocketAccept.RequestedProtocols(context.Request);
        if (!requested.Contains(StreamProtocols.PortForwardTunnel))
        {
            await RemoteCommandSession.RejectAsync(context, 400,
                $"port forwarding over WebSocket needs the {StreamProtocols.PortForwardTunnel} subprotocol; requested: [{string.Join(' ', requested)}]");
            return null;
        }

        var socket = await WebSocketAccept.AcceptAsync(context, StreamProtocols.PortForwardTunnel);
        return WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
    }

    private sealed class StreamPair(string requestId)
    {
        private readonly Lock _lock = new();

        public string RequestId { get; } = requestId;

        public SpdyStream? Data { get; private set; }

        public SpdyStream? Error { get; private set; }

        public bool Complete => Data is not null && Error is not null;

        public bool Add(SpdyStream stream, out string problem)
        {
            lock (_lock)
            {
                problem = "";
                if (stream.Headers.Get(StreamHeaders.StreamType) == StreamHeaders.Error)
                {
                    if (Error is not null)
                    {
                        problem = "error stream already assigned";
                        return false;
                    }

                    Error = stream;
                }
                else
                {
                    if (Data is not null)
                    {
                        problem = "data stream already assigned";
                        return false;
                    }

                    Data = stream;
                }

                return true;
            }
        }

        public async Task ReportAsync(string message)
        {
            if (Error is { } error)
            {
                try
                {
                    await error.WriteAsync(Encoding.UTF8.GetBytes(message));
                }
                catch (IOException)
                {
                }
            }
        }

        public async Task CloseAsync()
        {
            foreach (var stream in new[] { Data, Error }.OfType<SpdyStream>())
            {
                try
                {
                    await stream.CloseWriteAsync();
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
