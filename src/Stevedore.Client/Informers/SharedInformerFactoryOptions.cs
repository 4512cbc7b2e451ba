using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Stevedore.Client.Informers;

/// <summary>
/// Settings shared by every informer of a <see cref="SharedInformerFactory"/>. The namespace and
/// selectors narrow every list and watch (upstream's WithNamespace / WithTweakListOptions); a
/// node agent, for example, uses <c>FieldSelector = "spec.nodeName=" + node</c> in a factory of its own.
/// </summary>
public sealed record SharedInformerFactoryOptions
{
    public TimeSpan DefaultResync { get; init; }

    public string? Namespace { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>
    /// Cache objects without <c>metadata.managedFields</c> (skipped while decoding the watch, dropped
    /// from listed items), as upstream's kube-scheduler and kube-controller-manager informers do: they
    /// are never read there, and an update sent without them keeps the stored ones. Saves decoding
    /// and memory on every event.
    /// </summary>
    public bool TrimManagedFields { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
