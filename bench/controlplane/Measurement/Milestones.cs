using System.Diagnostics;

namespace ControlPlaneBench.Measurement;

/// <summary>When the first and the last of a series of events arrived (<see cref="Stopwatch"/> timestamps).</summary>
public sealed class Milestones
{
    private long _first;
    private long _last;

    public long First => Interlocked.Read(ref _first);

    public long Last => Interlocked.Read(ref _last);

    public void Note(long timestamp)
    {
        Interlocked.CompareExchange(ref _first, timestamp, 0);
        Interlocked.Exchange(ref _last, timestamp);
    }

    /// <summary>Seconds from <paramref name="start"/> to the last event.</summary>
    public double SecondsSince(long start) => Stopwatch.GetElapsedTime(start, Last).TotalSeconds;

    /// <summary>Events per second between the first and the last of <paramref name="count"/> events.</summary>
    public double RatePerSecond(int count)
    {
        var span = Stopwatch.GetElapsedTime(First, Last).TotalSeconds;
        return count > 1 && span > 0 ? (count - 1) / span : double.NaN;
    }
}
