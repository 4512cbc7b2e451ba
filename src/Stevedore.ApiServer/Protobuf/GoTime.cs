using System.Globalization;

namespace Stevedore.ApiServer.Protobuf;

/// <summary>
/// metav1.Time and metav1.MicroTime: protobuf {1: seconds, 2: nanos} since the Unix epoch;
/// JSON RFC 3339 in UTC, whole seconds for Time and six fraction digits for MicroTime.
/// </summary>
internal static class GoTime
{
    public static string Format(long seconds, int nanos, bool micro)
    {
        var time = DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks(micro ? nanos / 100 : 0).UtcDateTime;
        return time.ToString(micro ? "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    public static (long Seconds, int Nanos) Parse(string text)
    {
        var time = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TimeSpan.TicksPerSecond;
        }

        return (seconds, (int)(remainder * 100));
    }
}
