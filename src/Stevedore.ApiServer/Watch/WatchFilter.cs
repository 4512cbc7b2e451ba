using Stevedore.ApiServer.Selectors;

namespace Stevedore.ApiServer.Watch;

/// <summary>Which objects a list or watch wants: a namespace (or all), labels and fields.</summary>
public sealed record WatchFilter(string? Namespace, LabelSelector Labels, FieldSelector Fields, string? Name = null)
{
    public static readonly WatchFilter Everything = new(null, LabelSelector.Everything, FieldSelector.Everything);

    public bool Matches(CachedObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) &&
        (Name is null || obj.Name == Name) &&
        Labels.Matches(obj.Labels) &&
        Fields.Matches(obj.Fields);
}
