using System.Diagnostics;

namespace ApiServerBench.Measurement;

/// <summary>Collects latencies (milliseconds) from many concurrent tasks.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> _samples = [];

    public int Count
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count;
            }
        }
    }

    /// <summary>Records the time from <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) to now.</summary>
    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);

    public void Record(double milliseconds)
    {
        lock (_samples)
        {
            _samples.Add(milliseconds);
        }
    }

    public double Percentile(double percentile)
    {
        lock (_samples)
        {
            return Percentiles.Of(_samples, percentile);
        }
    }
}
