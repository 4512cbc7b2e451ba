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
/// A C# DNS load generator over UDP, a thread per socket with blocking sends and receives (the
/// cheapest way to keep many queries in flight). Each answer is checked: ID known, response code
/// the one the mix expects. Latency is from the moment a query is sent to its answer, kept in a
/// 1-µs histogram (no allocation while measuring).
/// </summary>
public sealed class LoadGenerator(IPEndPoint server, IReadOnlyList<MixQuery> mix)
{
    private const int HistogramMicroseconds = 200_000;
    private readonly IPEndPoint _server = server;
    private readonly byte[][] _queries = [.. mix.Select(q => DnsMessage.BuildQuery(0, q.Name, q.Type))];
    private readonly DnsResponseCode[] _expected = [.. mix.Select(q => q.Expected)];

    /// <summary>Closed loop: every socket keeps <paramref name="inFlight"/> queries outstanding for <paramref name="duration"/>.</summary>
    public LoadResult ClosedLoop(int sockets, int inFlight, TimeSpan duration)
    {
        var workers = Enumerable.Range(0, sockets).Select(i => new Worker(this, i)).ToArray();
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var threads = workers.Select(w => new Thread(() => w.RunClosed(inFlight, deadline)) { IsBackground = true }).ToArray();
        var started = Stopwatch.GetTimestamp();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        return Combine(workers, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Open loop: <paramref name="rate"/> queries per second sent on schedule (in 1 ms ticks) whatever the answers do.</summary>
    public LoadResult OpenLoop(int sockets, int rate, TimeSpan duration)
    {
        var workers = Enumerable.Range(0, sockets).Select(i => new Worker(this, i)).ToArray();
        var stopReceiving = 0;
        var receivers = workers.Select(w => new Thread(() => w.Receive(() => Volatile.Read(ref stopReceiving) == 1)) { IsBackground = true }).ToArray();
        foreach (var thread in receivers)
        {
            thread.Start();
        }

        var start = Stopwatch.GetTimestamp();
        var total = (long)(rate * duration.TotalSeconds);
        long sent = 0;
        while (sent < total)
        {
            var due = Math.Min(total, (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate));
            for (; sent < due; sent++)
            {
                workers[sent % sockets].SendNext();
            }

            Thread.Sleep(1);
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        // Answers still on their way get one more second.
        Thread.Sleep(1000);
        Volatile.Write(ref stopReceiving, 1);
        foreach (var thread in receivers)
        {
            thread.Join();
        }

        return Combine(workers, elapsed);
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

    /// <summary>One socket: its own IDs, send times, histogram and counters (touched by its threads only).</summary>
    private sealed class Worker
    {
        private readonly LoadGenerator _owner;
        private readonly Socket _socket;
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
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 200 };
            _socket.ReceiveBufferSize = 4 << 20;
            _socket.Connect(owner._server);
        }

        public long[] Histogram { get; } = new long[HistogramMicroseconds + 1];

        public long Sent { get; private set; }

        public long Answered { get; private set; }

        public long Failed { get; private set; }

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
            _socket.Send(_send, query.Length, SocketFlags.None);
            Sent++;
        }

        /// <summary>Reads one answer; false after the receive timeout.</summary>
        private bool ReceiveOne()
        {
            int length;
            try
            {
                length = _socket.Receive(_receive);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
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
            var code = (DnsResponseCode)(_receive[3] & 0xF);
            if (_sentAt[id] == 0)
            {
                // An answer to a query already counted (a late duplicate): ignore.
                return true;
            }

            var micros = (now - _sentAt[id]) * 1_000_000 / Stopwatch.Frequency;
            _sentAt[id] = 0;
            Histogram[Math.Min(micros, HistogramMicroseconds)]++;
            LatencySumMicroseconds += micros;
            Answered++;
            if (code != _owner._expected[_queryOf[id]])
            {
                Failed++;
            }

            return true;
        }

        public void RunClosed(int inFlight, long deadline)
        {
            using (_socket)
            {
                for (var i = 0; i < inFlight; i++)
                {
                    SendNext();
                }

                while (Stopwatch.GetTimestamp() < deadline)
                {
                    if (ReceiveOne())
                    {
                        SendNext();
                    }
                    else
                    {
                        // Everything outstanding is lost: start the window again.
                        for (var i = 0; i < inFlight; i++)
                        {
                            SendNext();
                        }
                    }
                }

                // Collect what is still in flight, without sending more.
                while (ReceiveOne() && Answered < Sent)
                {
                }
            }
        }

        public void Receive(Func<bool> stop)
        {
            using (_socket)
            {
                while (!stop())
                {
                    ReceiveOne();
                }
            }
        }
    }
}
