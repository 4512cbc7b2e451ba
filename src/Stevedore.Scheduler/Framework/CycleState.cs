namespace Stevedore.Scheduler.Framework;

/// <summary>
/// Per-scheduling-cycle scratch space where PreFilter/PreScore plugins leave data for their
/// Filter/Score calls. Written sequentially before the (parallel) filter phase, then only read.
/// </summary>
public sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);

    public void Write(string key, object value) => _data[key] = value;

    public bool TryRead<T>(string key, out T value)
        where T : class
    {
        if (_data.TryGetValue(key, out var raw) && raw is T typed)
        {
            value = typed;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>Names of plugins whose PreFilter returned Skip; their Filter is not run.</summary>
    internal HashSet<string> SkipFilterPlugins { get; } = new(StringComparer.Ordinal);

    /// <summary>The filter plugins not skipped, resolved once per cycle (null until the first Filter call).</summary>
    internal IFilterPlugin[]? ActiveFilterPlugins { get; set; }

    /// <summary>Names of plugins whose PreScore returned Skip; their Score is not run.</summary>
    internal HashSet<string> SkipScorePlugins { get; } = new(StringComparer.Ordinal);
}
