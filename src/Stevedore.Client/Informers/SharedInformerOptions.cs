using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stevedore.Client.Informers;

/// <summary>Settings of one <see cref="SharedInformer{T}"/>.</summary>
public sealed record SharedInformerOptions
{
    /// <summary>How often handlers get OnUpdate(obj, obj) for every cached object; zero disables resync.</summary>
    public TimeSpan ResyncPeriod { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
