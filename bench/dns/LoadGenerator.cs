using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Stevedore.Network.Dns.Wire;

namespace DnsBench;

/// <summary>What one load measurement saw.</summary>
public sealed record LoadResult(double AnsweredPerSecond, double P50Ms, double P99Ms, double AverageMs, long Sent, long Answered, long Failed)
{
    /// <summary>Queries without an answer in time, or with an unexpected response code.</summary>
    public long Lost => Sent - Answered + Failed;
}

/// <summary>
/// A C# DNS load generator over UDP, one thread driving every socket (as dnsperf does): it sends
/// what is due, reads every answer that has arrived, and otherwise waits in <c>select</c>, so the
/// measurement itself needs as little CPU as possible on a machine it shares with the server.
/// Each answer is checked: ID known, response code the one the mix expects. Latency is from the
/// moment a query is sent to its answer, kept in a 1-µs histogram (no allocation while measuring).
/// </summary>
public sealed class LoadGenerator(IPEndPoint server, IReadOnlyList<MixQuery> mix)
{
    private const int HistogramMicroseconds = 200_000;
    private static readonly long LostAfter = Stopwatch.Frequency / 2;
    private readonly IPEndPoint _server = server;
    private readonly byte[][] _queries = [.. mix.Select(q => DnsMessage.BuildQuery(0, q.Name, q.Type))];
    private readonly DnsResponseCode[] _expected = [.. mix.Select(q => q.Expected)];

    /// <summary>Closed loop: every socket keeps <paramref name="inFlight"/> queries outstanding for <paramref name="duration"/>.</summary>
    public LoadResult ClosedLoop(int sockets, int inFlight, TimeSpan duration) => Drive(sockets, inFlight, rate: null, duration);

    /// <summary>Open loop: <paramref name="rate"/> queries per second sent on schedule (1 ms ticks) whatever the answers do.</summary>
    public LoadResult OpenLoop(int sockets, int rate, TimeSpan duration) => Drive(sockets, inFlight: 0, rate, duration);

    private LoadResult Drive(int socketCount, int inFlight, int? rate, TimeSpan duration)
    {
        var workers = Enumerable.Range(0, socketCount).Select(i => new Worker(this, i)).ToArray();
        var readable = new List<Socket>(socketCount);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var total = rate is { } r ? (long)(r * duration.TotalSeconds) : long.MaxValue;
        long sent = 0;
        var lastAnswer = start;
        if (rate is null)
        {
            foreach (var worker in workers)
            {
                for (var i = 0; i < inFlight; i++)
                {
                    worker.SendNext();
                }
            }
        }

        try
        {
            // Sending stops at the end; answers still on their way get half a second more.
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                var sending = now < end;
                if (!sending && (now > end + LostAfter || workers.All(w => w.Outstanding == 0)))
                {
                    break;
                }

                if (rate is { } perSecond && sending)
                {
                    var due = Math.Min(total, (now - start) * perSecond / Stopwatch.Frequency);
                    for (; sent < due; sent++)
                    {
                        workers[sent % socketCount].SendNext();
                    }
                }

                var answered = false;
                foreach (var worker in workers)
                {
                    while (worker.TryReceive())
                    {
                        answered = true;
                        if (rate is null && sending)
                        {
                            worker.SendNext();
                        }
                    }

                    if (rate is null && sending && worker.Outstanding == 0)
                    {
                        // Everything outstanding was lost: start the window again.
                        for (var i = 0; i < inFlight; i++)
                        {
                            worker.SendNext();
                        }
                    }
                }

                if (answered)
                {
                    lastAnswer = now;
                }
                else
                {
                    readable.Clear();
                    readable.AddRange(workers.Select(w => w.Socket));
                    // Block until an answer comes (never spin: the server needs the CPU). The open loop sends
                    // what fell due meanwhile in 1 ms ticks; latency counts from each query's actual send.
                    Socket.Select(readable, null, null, rate is null ? 10_000 : 1_000);
                }

                if (rate is null && sending && now - lastAnswer > LostAfter)
                {
                    // Nothing came back for half a second: what is outstanding is lost; the windows refill above.
                    foreach (var worker in workers)
                    {
                        worker.ForgetLost(now - LostAfter);
                    }

                    lastAnswer = now;
                }
            }
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Socket.Dispose();
            }
        }

        return Combine(workers, TimeSpan.FromSeconds((double)(Math.Min(Stopwatch.GetTimestamp(), end) - start) / Stopwatch.Frequency));
    }

    private static LoadResult Combine(Worker[] workers, TimeSpan elapsed)
    {
        var histogram = new long[HistogramMicroseconds + 1];
        long sent = 0, answered = 0, failed = 0;
        double sum = 0;
        foreach (var worker in workers)
        {
            for (var i = 0; i < histogram.Length; i++)
            {
                histogram[i] += worker.Histogram[i];
            }

            sent += worker.Sent;
            answered += worker.Answered;
            failed += worker.Failed;
            sum += worker.LatencySumMicroseconds;
        }

        return new LoadResult(answered / elapsed.TotalSeconds, Percentile(histogram, answered, 50), Percentile(histogram, answered, 99),
            answered == 0 ? double.NaN : sum / answered / 1000, sent, answered, failed);
    }

    private static double Percentile(long[] histogram, long count, double percentile)
    {
        if (count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(percentile / 100 * count);
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
            {
                return i / 1000.0;
            }
        }

        return HistogramMicroseconds / 1000.0;
    }

    /// <summary>One socket: its own IDs, send times, histogram and counters.</summary>
    private sealed class Worker
    {
        private readonly LoadGenerator _owner;
        private readonly long[] _sentAt = new long[65536];
        private readonly int[] _queryOf = new int[65536];
        private readonly byte[] _send = new byte[512];
        private readonly byte[] _receive = new byte[65535];
        private int _nextQuery;
        private ushort _nextId;

        public Worker(LoadGenerator owner, int index)
        {
            _owner = owner;
            _nextQuery = index * 997 % owner._queries.Length;
            Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false, ReceiveBufferSize = 4 << 20 };
            Socket.Connect(owner._server);
        }

        public Socket Socket { get; }

        public long[] Histogram { get; } = new long[HistogramMicroseconds + 1];

        public long Sent { get; private set; }

        public long Answered { get; private set; }

        public long Failed { get; private set; }

        /// <summary>Queries sent and neither answered nor given up.</summary>
        public long Outstanding { get; private set; }

        public double LatencySumMicroseconds { get; private set; }

        public void SendNext()
        {
            var index = _nextQuery;
            _nextQuery = (_nextQuery + 1) % _owner._queries.Length;
            var query = _owner._queries[index];
            var id = _nextId++;
            query.CopyTo(_send, 0);
            BinaryPrimitives.WriteUInt16BigEndian(_send, id);
            _queryOf[id] = index;
            _sentAt[id] = Stopwatch.GetTimestamp();
            Socket.Send(_send, 0, query.Length, SocketFlags.None, out _);
            Sent++;
            Outstanding++;
        }

        /// <summary>Reads one answer if one is waiting.</summary>
        public bool TryReceive()
        {
            if (Socket.Available == 0)
            {
                return false;
            }

            var length = Socket.Receive(_receive, 0, _receive.Length, SocketFlags.None, out var error);
            if (error != SocketError.Success)
            {
                return false;
            }

            var now = Stopwatch.GetTimestamp();
            if (length < 12)
            {
                Failed++;
                return true;
            }

            var id = BinaryPrimitives.ReadUInt16BigEndian(_receive);
            if (_sentAt[id] == 0)
            {
                // An answer to a query already given up: ignore.
                return true;
            }

            var micros = (now - _sentAt[id]) * 1_000_000 / Stopwatch.Frequency;
            _sentAt[id] = 0;
            Outstanding--;
            Histogram[Math.Min(micros, HistogramMicroseconds)]++;
            LatencySumMicroseconds += micros;
            Answered++;
            if ((DnsResponseCode)(_receive[3] & 0xF) != _owner._expected[_queryOf[id]])
            {
                Failed++;
            }

            return true;
        }

        /// <summary>Gives up queries sent before <paramref name="before"/> (closed loop: so the window refills).</summary>
        public void ForgetLost(long before)
        {
            if (Outstanding == 0)
            {
                return;
            }

            // Only the last 65536 IDs can be outstanding; scanning is cheap next to a lost answer.
            for (var id = 0; id < _sentAt.Length && Outstanding > 0; id++)
            {
                if (_sentAt[id] != 0 && _sentAt[id] < before)
                {
                    _sentAt[id] = 0;
                    Outstanding--;
                }
            }
        }
    }
}
