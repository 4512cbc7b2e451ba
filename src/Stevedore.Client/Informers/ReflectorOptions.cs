using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stevedore.Client.Informers;

/// <summary>Tuning of a <see cref="Reflector{T}"/>; the defaults are upstream's.</summary>
public sealed record ReflectorOptions
{
    /// <summary>How often every cached object is re-delivered as a Sync delta; zero disables resync.</summary>
    public TimeSpan ResyncPeriod { get; init; }

    /// <summary>Objects per list page; 0 lists everything in one call.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>First delay after a failed list or watch; doubled on every further failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Watches ask the server to close after a random time between this and twice this, then resume.</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILogger Logger { get; init; } = NullLogger.Instance;
}
