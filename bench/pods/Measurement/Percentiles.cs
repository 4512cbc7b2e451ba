namespace PodsBench.Measurement;

/// <summary>Order statistics over samples (nearest-rank, no interpolation).</summary>
public static class Percentiles
{
    /// <summary>The <paramref name="percentile"/>-th percentile (0–100); NaN for no samples.</summary>
    public static double Of(IReadOnlyCollection<double> samples, double percentile)
    {
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> samples) => Of(samples, 50);
}
