using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Client.Events;
using Stevedore.Client.Informers;
using Stevedore.Client.LeaderElection;
using Stevedore.Client.Resources;
using Stevedore.Scheduler.Framework;
using Stevedore.Scheduler.Queue;
using Stevedore.Scheduler.Util;

namespace Stevedore.Scheduler.Host;

/// <summary>
/// The scheduler process around <see cref="PodScheduler"/>: informers on nodes, pods and
/// namespaces feed one <see cref="ClusterSnapshot"/> and the <see cref="SchedulingQueue"/>;
/// the loop pops a pod, schedules it, binds it through <c>pods/binding</c>, or records a
/// <c>FailedScheduling</c> event and the PodScheduled=False condition.
/// As upstream, only the decision is serial: the pod is assumed onto its node in the snapshot
/// and the binding call (or the failure report) runs in the background while the loop
/// schedules the next pod, with at most <see cref="MaxInFlight"/> such calls outstanding.
/// </summary>
public sealed partial class SchedulerHost
{
    /// <summary>The component name on events, as upstream.</summary>
    public const string Component = "default-scheduler";

    private readonly IKubernetes _client;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PodScheduler _scheduler;
    private readonly SchedulingQueue _queue;
    private readonly ClusterSnapshot _snapshot = new();
    private readonly HashSet<string> _assumed = new(StringComparer.Ordinal);
    private readonly EventRecorder _recorder;
    private readonly ResourceClient<V1Pod> _pods;

    // The snapshot is not thread-safe: the scheduling cycle and the changes from informer handlers
    // take turns under this lock. Handlers never wait for it: they queue their change, and whoever
    // holds the lock next (a handler, or the loop before and after each cycle) applies the queue
    // in order, so a long cycle does not stall event delivery.
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<Action> _pendingChanges = new();

    /// <summary>The Lease the scheduler runs under, as upstream.</summary>
    public const string LeaseName = "kube-scheduler";

    /// <summary>Binding calls and failure reports running at once; the loop waits when this many are outstanding.</summary>
    public const int MaxInFlight = 64;

    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);

    private readonly SharedInformerFactory? _sharedInformers;

    /// <summary>Creates a scheduler host; it is one-shot: <see cref="RunAsync"/> once per instance.</summary>
    /// <param name="client">The API connection.</param>
    /// <param name="loggerFactory">Logs; none when null.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="informers">
    /// A factory shared with other components of the process (one watch and one cache per resource,
    /// as the controllers use them too), which the host starts but never stops; null for informers
    /// of its own, stopped when <see cref="RunAsync"/> ends.
    /// </param>
    public SchedulerHost(IKubernetes client, ILoggerFactory? loggerFactory = null, TimeProvider? time = null, SharedInformerFactory? informers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _sharedInformers = informers;
        _time = time ?? TimeProvider.System;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<SchedulerHost>();
        var profile = Profile.CreateDefault();
        _scheduler = new PodScheduler(profile);
        _queue = new SchedulingQueue(_time, profile.PluginEvents());
        _recorder = new EventRecorder(client, Component, time: _time, logger: _logger);
        _pods = new ResourceClient<V1Pod>(client);
    }

    /// <summary>Pods waiting in any sub-queue (for tests and metrics).</summary>
    public int PendingCount => _queue.ActiveCount + _queue.BackoffCount + _queue.UnschedulableCount;

    /// <summary>
    /// Campaigns for the <c>kube-system/kube-scheduler</c> Lease and schedules while leading (a
    /// fresh host per term: a fresh queue and snapshot, filled from the informers' caches —
    /// <paramref name="informers"/> when given, otherwise the term's own) until cancelled.
    /// </summary>
    public static async Task RunLeaderElectedAsync(IKubernetes client, ILoggerFactory? loggerFactory, CancellationToken cancellationToken, SharedInformerFactory? informers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        loggerFactory ??= NullLoggerFactory.Instance;
        var identity = Environment.MachineName + "_" + Guid.NewGuid().ToString("N")[..8];
        var logger = loggerFactory.CreateLogger<SchedulerHost>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var elector = new LeaderElector(client, new LeaderElectionConfig { LeaseNamespace = "kube-system", LeaseName = LeaseName, Identity = identity, Logger = logger })
            {
                OnStartedLeading = ct => new SchedulerHost(client, loggerFactory, informers: informers).RunAsync(ct),
            };
            try
            {
                await elector.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Registers the handlers, starts its informers, waits for their caches, then schedules until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var ownInformers = _sharedInformers is null
            ? new SharedInformerFactory(_client, new SharedInformerFactoryOptions { Time = _time, LoggerFactory = _loggerFactory, TrimManagedFields = true })
            : null;
        var informers = _sharedInformers ?? ownInformers!;
        var nodes = informers.GetInformer<V1Node>();
        var pods = informers.GetInformer<V1Pod>();
        var namespaces = informers.GetInformer<V1Namespace>();
        using var nodeHandler = nodes.AddEventHandler(OnNodeAdd, OnNodeUpdate, OnNodeDelete);
        using var podHandler = pods.AddEventHandler(OnPodAdd, OnPodUpdate, OnPodDelete);
        using var namespaceHandler = namespaces.AddEventHandler(OnNamespace, (_, n) => OnNamespace(n), OnNamespaceDelete);
        // Shared informers outlive this term (the handlers above do not); our own stop with it.
        informers.Start(_sharedInformers is null ? cancellationToken : CancellationToken.None);
        if (!await informers.WaitForCacheSyncAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            QueuedPodInfo item;
            try
            {
                item = await _queue.PopAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _queue.AddBackoff(item);
                break;
            }

            Task followUp;
            try
            {
                followUp = ScheduleOne(item, cancellationToken);
            }
            catch (Exception ex)
            {
                LogCycleFailed(ex, item.Key);
                _queue.AddBackoff(item);
                followUp = Task.CompletedTask;
            }

            _ = ReleaseWhenDoneAsync(followUp, item);
        }

        // Let bindings already sent finish (they end quickly once cancelled) before the caches go away:
        // holding every slot means none is outstanding.
        for (var i = 0; i < MaxInFlight; i++)
        {
            await _inFlight.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Frees the in-flight slot when the background part of a cycle ends; nothing it throws escapes.</summary>
    private async Task ReleaseWhenDoneAsync(Task followUp, QueuedPodInfo item)
    {
        try
        {
            await followUp.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            LogCycleFailed(ex, item.Key);
            _queue.AddBackoff(item);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>
    /// Decides for one pod on the calling thread and assumes it onto its node; returns the
    /// background part (the binding, or the queue update and failure report).
    /// </summary>
    private Task ScheduleOne(QueuedPodInfo item, CancellationToken cancellationToken)
    {
        var cycle = _queue.SchedulingCycle;
        V1Pod pod;
        ScheduleResult result;
        lock (_lock)
        {
            ApplyPendingChangesLocked();
            pod = item.Pod;
            if (pod.Metadata.DeletionTimestamp is not null || _assumed.Contains(pod.Key()))
            {
                _queue.Done(item);
                return Task.CompletedTask;
            }

            result = _scheduler.ScheduleOne(pod, _snapshot);
            if (result.IsSuccess)
            {
                _snapshot.AssumePod(pod, result.SuggestedHost!);
                _assumed.Add(pod.Key());
            }
        }

        // Changes queued by handlers while the cycle ran.
        ApplyPendingChanges();
        if (result.IsSuccess)
        {
            return BindAsync(item, pod, result.SuggestedHost!, cancellationToken);
        }

        if (result.FitError is not null)
        {
            _queue.AddUnschedulableIfNotPresent(item, result.UnschedulablePlugins, cycle);
        }
        else
        {
            _queue.AddBackoff(item);
        }

        return ReportFailureAsync(pod, result, cancellationToken);
    }

    private async Task BindAsync(QueuedPodInfo item, V1Pod pod, string node, CancellationToken cancellationToken)
    {
        // Off the scheduling thread at once: the loop goes on with the next pod.
        await Task.Yield();
        var binding = new V1Binding
        {
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
            Target = new V1ObjectReference { ApiVersion = "v1", Kind = "Node", Name = node },
        };
        try
        {
            await _client.CoreV1.CreateNamespacedPodBindingAsync(binding, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
            _queue.Done(item);
            LogBound(pod.Key(), node);
            _recorder.Event(pod, EventTypes.Normal, "Scheduled", $"Successfully assigned {pod.Key()} to {node}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Queued before the pod goes back to the queue, so its next cycle sees it forgotten.
            PostChange(() =>
            {
                _snapshot.RemovePod(pod);
                _assumed.Remove(pod.Key());
            });

            LogBindFailed(ex, pod.Key(), node);
            if (ex is HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.NotFound })
            {
                _queue.Done(item);
                return;
            }

            _queue.AddBackoff(item);
        }
    }

    private async Task ReportFailureAsync(V1Pod pod, ScheduleResult result, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var message = result.FailureMessage ?? "scheduling failed";
        LogUnschedulable(pod.Key(), message);
        _recorder.Event(pod, EventTypes.Warning, "FailedScheduling", message);
        var condition = result.PodScheduledCondition(_time.GetUtcNow().UtcDateTime);
        if (condition is null)
        {
            return;
        }

        var existing = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (existing is not null && existing.Status == condition.Status && existing.Reason == condition.Reason && existing.Message == condition.Message)
        {
            return;
        }

        // A JSON merge patch replaces the whole list, so send every other condition unchanged.
        var conditions = new JsonArray();
        foreach (var other in pod.Status?.Conditions ?? [])
        {
            if (other.Type != "PodScheduled")
            {
                conditions.Add(JsonNode.Parse(KubernetesJson.Serialize(other)));
            }
        }

        if (existing is not null && existing.Status == condition.Status)
        {
            condition.LastTransitionTime = existing.LastTransitionTime;
        }

        conditions.Add(JsonNode.Parse(KubernetesJson.Serialize(condition)));
        var patch = new JsonObject { ["status"] = new JsonObject { ["conditions"] = conditions } };
        try
        {
            await _pods.PatchStatusAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogConditionFailed(ex, pod.Key());
        }
    }

    private static bool IsAssigned(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private static bool IsTerminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    private static bool IsOurs(V1Pod pod) =>
        (pod.Spec?.SchedulerName ?? Component) == Component && pod.Metadata.DeletionTimestamp is null && !IsTerminal(pod);

    private void OnPodAdd(V1Pod pod)
    {
        PostChange(() =>
        {
            if (IsAssigned(pod))
            {
                _assumed.Remove(pod.Key());
                if (!IsTerminal(pod))
                {
                    _snapshot.AddPod(pod);
                    _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodAdd);
                }
            }
            else if (IsOurs(pod) && !_assumed.Contains(pod.Key()))
            {
                _queue.Add(pod);
            }
        });
    }

    private void OnPodUpdate(V1Pod oldPod, V1Pod pod)
    {
        PostChange(() =>
        {
            if (IsAssigned(pod))
            {
                _assumed.Remove(pod.Key());
                _queue.Delete(pod);
                if (IsTerminal(pod))
                {
                    _snapshot.RemovePod(pod);
                    _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
                }
                else
                {
                    _snapshot.UpdatePod(pod);
                    _queue.MoveAllToActiveOrBackoff(IsAssigned(oldPod) ? ClusterEvent.AssignedPodUpdate : ClusterEvent.AssignedPodAdd);
                }
            }
            else if (IsOurs(pod))
            {
                if (!_assumed.Contains(pod.Key()))
                {
                    _queue.Update(oldPod, pod);
                }
            }
            else
            {
                _queue.Delete(pod);
            }
        });
    }

    private void OnPodDelete(V1Pod pod)
    {
        PostChange(() =>
        {
            _queue.Delete(pod);
            _assumed.Remove(pod.Key());
            if (_snapshot.NodeOf(pod.Key()) is not null)
            {
                _snapshot.RemovePod(pod);
                _queue.MoveAllToActiveOrBackoff(ClusterEvent.AssignedPodDelete);
            }
        });
    }

    private void OnNodeAdd(V1Node node)
    {
        PostChange(() =>
        {
            _snapshot.AddOrUpdateNode(node);
            _queue.MoveAllToActiveOrBackoff(ClusterEvent.NodeAdd);
        });
    }

    private void OnNodeUpdate(V1Node oldNode, V1Node node)
    {
        PostChange(() =>
        {
            _snapshot.AddOrUpdateNode(node);
            foreach (var evt in NodeChangeEvents.Between(oldNode, node))
            {
                _queue.MoveAllToActiveOrBackoff(evt);
            }
        });
    }

    private void OnNodeDelete(V1Node node)
    {
        PostChange(() =>
        {
            _snapshot.RemoveNode(node.Metadata.Name);
        });
    }

    private void OnNamespace(V1Namespace ns)
    {
        PostChange(() =>
        {
            _snapshot.SetNamespace(ns);
        });
    }

    private void OnNamespaceDelete(V1Namespace ns)
    {
        PostChange(() =>
        {
            _snapshot.RemoveNamespace(ns.Metadata.Name);
        });
    }

    /// <summary>Queues a change to the snapshot (or to what goes with it) and applies the queue if the lock is free.</summary>
    private void PostChange(Action change)
    {
        _pendingChanges.Enqueue(change);
        ApplyPendingChanges();
    }

    /// <summary>
    /// Applies queued changes unless someone holds the lock; that holder applies them instead,
    /// and re-checks after letting go, so nothing is left behind.
    /// </summary>
    private void ApplyPendingChanges()
    {
        while (!_pendingChanges.IsEmpty && _lock.TryEnter())
        {
            try
            {
                ApplyPendingChangesLocked();
            }
            finally
            {
                _lock.Exit();
            }
        }
    }

    private void ApplyPendingChangesLocked()
    {
        while (_pendingChanges.TryDequeue(out var change))
        {
            try
            {
                change();
            }
            catch (Exception ex)
            {
                // A broken event must not stop the ones after it.
                LogChangeFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bound {Pod} to {Node}")]
    private partial void LogBound(string pod, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binding {Pod} to {Node} failed")]
    private partial void LogBindFailed(Exception ex, string pod, string node);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Pod} is unschedulable: {Message}")]
    private partial void LogUnschedulable(string pod, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Setting the PodScheduled condition of {Pod} failed")]
    private partial void LogConditionFailed(Exception ex, string pod);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying an informer event to the scheduler cache failed")]
    private partial void LogChangeFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduling cycle of {Pod} failed")]
    private partial void LogCycleFailed(Exception ex, string pod);
}
