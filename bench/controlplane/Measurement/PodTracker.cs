using System.Diagnostics;
using System.Text.Json;

namespace ControlPlaneBench.Measurement;

/// <summary>
/// Follows a pod watch and notes, per pod, when it was first seen created, bound (<c>spec.nodeName</c>
/// set) and Ready (condition Ready=True); keeps the arrival time of the first and the last of each.
/// Fed by one watch reader; read from any thread.
/// </summary>
public sealed class PodTracker(int expected)
{
    private readonly HashSet<string> _created = new(StringComparer.Ordinal);
    private readonly HashSet<string> _bound = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ready = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _allReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _allBound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _createdCount;
    private int _boundCount;
    private int _readyCount;

    public int Expected { get; } = expected;

    public Milestones Created { get; } = new();

    public Milestones Bound { get; } = new();

    public Milestones Ready { get; } = new();

    public int CreatedCount => Volatile.Read(ref _createdCount);

    public int BoundCount => Volatile.Read(ref _boundCount);

    public int ReadyCount => Volatile.Read(ref _readyCount);

    /// <summary>Completes when every expected pod was seen bound.</summary>
    public Task AllBound => _allBound.Task;

    /// <summary>Completes when every expected pod was seen Ready.</summary>
    public Task AllReady => _allReady.Task;

    /// <summary>Handles one watch event; true while the watch is still needed (not every pod is Ready yet).</summary>
    public bool Observe(JsonElement watchEvent)
    {
        var arrived = Stopwatch.GetTimestamp();
        if (watchEvent.GetProperty("type").GetString() is not ("ADDED" or "MODIFIED"))
        {
            return true;
        }

        var pod = watchEvent.GetProperty("object");
        var name = pod.GetProperty("metadata").GetProperty("name").GetString()!;
        if (_created.Add(name))
        {
            Created.Note(arrived);
            Interlocked.Increment(ref _createdCount);
        }

        if (pod.TryGetProperty("spec", out var spec) && spec.TryGetProperty("nodeName", out var node) && node.GetString() is { Length: > 0 } && _bound.Add(name))
        {
            Bound.Note(arrived);
            if (Interlocked.Increment(ref _boundCount) == Expected)
            {
                _allBound.TrySetResult();
            }
        }

        if (IsReady(pod) && _ready.Add(name))
        {
            Ready.Note(arrived);
            if (Interlocked.Increment(ref _readyCount) == Expected)
            {
                _allReady.TrySetResult();
            }
        }

        return ReadyCount < Expected;
    }

    private static bool IsReady(JsonElement pod)
    {
        if (!pod.TryGetProperty("status", out var status) || !status.TryGetProperty("conditions", out var conditions))
        {
            return false;
        }

        foreach (var condition in conditions.EnumerateArray())
        {
            if (condition.GetProperty("type").GetString() == "Ready")
            {
                return condition.GetProperty("status").GetString() == "True";
            }
        }

        return false;
    }
}
