namespace Stevedore.Scheduler.Framework;

/// <summary>
/// Per-scheduling-cycle scratch space where PreFilter/PreScore plugins leave data for their
/// Filter/Score calls. Written sequentially before the (parallel) filter phase, then only read.
/// </summary>
public sealed class CycleState
{
    // A handful of entries, read for every node by every Score and Filter call: a short list
    // found by reference first (plugins pass their key constants), which costs no string hashing.
    private readonly List<KeyValuePair<string, object>> _data = [];

    public void Write(string key, object value)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (var i = 0; i < _data.Count; i++)
        {
            if (string.Equals(_data[i].Key, key, StringComparison.Ordinal))
            {
                _data[i] = new(key, value);
                return;
            }
        }

        _data.Add(new(key, value));
    }

    public bool TryRead<T>(string key, out T value)
        where T : class
    {
        var data = _data;
        for (var i = 0; i < data.Count; i++)
        {
            if (ReferenceEquals(data[i].Key, key))
            {
                return As(data[i].Value, out value);
            }
        }

        for (var i = 0; i < data.Count; i++)
        {
            if (string.Equals(data[i].Key, key, StringComparison.Ordinal))
            {
                return As(data[i].Value, out value);
            }
        }

        value = null!;
        return false;
    }

    private static bool As<T>(object raw, out T value)
        where T : class
    {
        if (raw is T typed)
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
