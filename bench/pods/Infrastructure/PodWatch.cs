using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace PodsBench.Infrastructure;

/// <summary>
/// One watch on a namespace's pods, as a client sees the cluster: each pod's first event with
/// <c>status.phase = Running</c> and its DELETED event complete a task with the Stopwatch timestamp
/// of the event's arrival. Reconnects from the last resourceVersion when the stream ends.
/// </summary>
public sealed class PodWatch : IAsyncDisposable
{
    private readonly ApiClient _api;
    private readonly string _namespace;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _running = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _deleted = new();
    private readonly ConcurrentDictionary<string, PodMilestones> _milestones = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _established = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private string _resourceVersion = "";

    private PodWatch(ApiClient api, string @namespace)
    {
        _api = api;
        _namespace = @namespace;
    }

    /// <summary>Lists (for the resourceVersion) and starts watching; returns once the watch stream is open.</summary>
    public static async Task<PodWatch> StartAsync(ApiClient api, string @namespace, CancellationToken cancellationToken)
    {
        var watch = new PodWatch(api, @namespace);
        var list = await api.GetAsync($"/api/v1/namespaces/{@namespace}/pods", cancellationToken)
            ?? throw new InvalidOperationException($"namespace {@namespace} has no pod list");
        watch._resourceVersion = (string)list["metadata"]!["resourceVersion"]!;
        watch._loop = Task.Run(watch.RunAsync, CancellationToken.None);
        await watch._established.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return watch;
    }

    /// <summary>Completes with the arrival timestamp of the pod's first Running event. Ask before creating the pod.</summary>
    public Task<long> RunningAsync(string name) => _running.GetOrAdd(name, NewSource).Task;

    /// <summary>Completes with the arrival timestamp of the pod's DELETED event.</summary>
    public Task<long> DeletedAsync(string name) => _deleted.GetOrAdd(name, NewSource).Task;

    /// <summary>When the pod's events first showed it bound, reported by the agent and running (Stopwatch timestamps, 0 = not yet).</summary>
    public PodMilestones Milestones(string name) => _milestones.GetOrAdd(name, _ => new PodMilestones());

    /// <summary>Forgets a pod, so the same name can be watched again.</summary>
    public void Forget(string name)
    {
        _running.TryRemove(name, out _);
        _deleted.TryRemove(name, out _);
        _milestones.TryRemove(name, out _);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource<long> NewSource(string _) => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var path = $"/api/v1/namespaces/{_namespace}/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=3600&resourceVersion={_resourceVersion}";
                using var response = await _api.Watches.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                response.EnsureSuccessStatusCode();
                _established.TrySetResult();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var arrived = Stopwatch.GetTimestamp();
                    if (line.Length > 0)
                    {
                        Handle(line, arrived);
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Progress.Write($"pod watch interrupted ({ex.Message}); reconnecting");
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    private void Handle(string line, long arrived)
    {
        using var document = JsonDocument.Parse(line);
        var type = document.RootElement.GetProperty("type").GetString();
        var pod = document.RootElement.GetProperty("object");
        if (type == "ERROR")
        {
            // Typically 410 Gone: start over from a fresh list.
            Progress.Write("pod watch error: " + pod.GetRawText());
            _resourceVersion = "";
            return;
        }

        var metadata = pod.GetProperty("metadata");
        if (metadata.TryGetProperty("resourceVersion", out var rv))
        {
            _resourceVersion = rv.GetString() ?? _resourceVersion;
        }

        if (type == "BOOKMARK" || !metadata.TryGetProperty("name", out var nameElement) || nameElement.GetString() is not { } name)
        {
            return;
        }

        if (type == "DELETED")
        {
            _deleted.GetOrAdd(name, NewSource).TrySetResult(arrived);
            return;
        }

        var milestones = Milestones(name);
        if (milestones.Bound == 0 && pod.TryGetProperty("spec", out var spec) && spec.TryGetProperty("nodeName", out var node) && node.GetString() is { Length: > 0 })
        {
            milestones.Bound = arrived;
        }

        var hasStatus = pod.TryGetProperty("status", out var status);
        // The agent's first status write sets hostIP (the scheduler's binding does not).
        if (milestones.Reported == 0 && hasStatus && status.TryGetProperty("hostIP", out var hostIp) && hostIp.GetString() is { Length: > 0 })
        {
            milestones.Reported = arrived;
        }

        if (hasStatus && status.TryGetProperty("phase", out var phase) && phase.GetString() == "Running")
        {
            if (milestones.Running == 0)
            {
                milestones.Running = arrived;
            }

            _running.GetOrAdd(name, NewSource).TrySetResult(arrived);
        }
    }
}

/// <summary>Arrival times (Stopwatch timestamps; 0 = not seen yet) of a pod's first events showing each step.</summary>
public sealed class PodMilestones
{
    /// <summary>spec.nodeName set: the scheduler's binding.</summary>
    public long Bound { get; set; }

    /// <summary>status.hostIP set: the agent's first status write.</summary>
    public long Reported { get; set; }

    /// <summary>status.phase Running.</summary>
    public long Running { get; set; }
}
