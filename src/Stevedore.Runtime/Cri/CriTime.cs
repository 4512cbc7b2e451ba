namespace Stevedore.Runtime.Cri;

/// <summary>CRI timestamps are nanoseconds since the Unix epoch.</summary>
public static class CriTime
{
    /// <summary>Nanoseconds since the epoch; 0 for null.</summary>
    public static long ToNanoseconds(DateTimeOffset? time) =>
        time is null ? 0 : (time.Value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
