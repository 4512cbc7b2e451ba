using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Events;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.ReplicaSet;

namespace Stevedore.Controllers.Host;

/// <summary>Wires <see cref="ReplicaSetLogic"/>: keeps each ReplicaSet's pod count and status.</summary>
public sealed class ReplicaSetController : QueueController
{
    private readonly ResourceClient<V1Pod> _pods;
    private readonly ResourceClient<V1ReplicaSet> _replicaSets;
    private readonly ControllerExpectations _expectations = new();
    private readonly EventRecorder? _recorder;
    private Lister<V1ReplicaSet> _rsLister = null!;
    private Lister<V1Pod> _podLister = null!;

    /// <param name="recorder">Records SuccessfulCreate / SuccessfulDelete (and the failures) on the ReplicaSet, as upstream's replicaset-controller; null records nothing.</param>
    public ReplicaSetController(IKubernetes client, ILogger logger, TimeProvider time, int workers = 4, EventRecorder? recorder = null)
        : base(logger, time, workers)
    {
        _recorder = recorder;
        _pods = new ResourceClient<V1Pod>(client);
        _replicaSets = new ResourceClient<V1ReplicaSet>(client);
    }

    public override string Name => "replicaset";

    public override void Register(SharedInformerFactory informers)
    {
        var rs = informers.GetInformer<V1ReplicaSet>();
        var pods = informers.GetInformer<V1Pod>();
        _rsLister = rs.Lister;
        _podLister = pods.Lister;
        Handle(rs, Enqueue, (_, n) => Enqueue(n), r =>
        {
            _expectations.Delete(ObjectKeys.For(r));
            Enqueue(r);
        });
        Handle(pods, OnPodAdd, OnPodUpdate, OnPodDelete);
    }

    private string? OwnerKey(V1Pod pod)
    {
        var owner = ControllerRef.Of(pod.Metadata);
        return owner is { Kind: "ReplicaSet" } ? ObjectKeys.For(pod.Metadata.NamespaceProperty, owner.Name) : null;
    }

    private void OnPodAdd(V1Pod pod)
    {
        if (OwnerKey(pod) is { } key)
        {
            if (pod.Metadata.DeletionTimestamp is null)
            {
                _expectations.CreationObserved(key);
            }

            Queue.Add(key);
            return;
        }

        EnqueueMatching(pod);
    }

    private void OnPodUpdate(V1Pod oldPod, V1Pod pod)
    {
        var key = OwnerKey(pod);
        var oldKey = OwnerKey(oldPod);
        if (key is not null && pod.Metadata.DeletionTimestamp is not null && oldPod.Metadata.DeletionTimestamp is null)
        {
            _expectations.DeletionObserved(key, ReplicaSetLogic.PodKey(pod));
        }

        if (oldKey is not null && oldKey != key)
        {
            Queue.Add(oldKey);
        }

        if (key is not null)
        {
            Queue.Add(key);
        }
        else
        {
            EnqueueMatching(pod);
        }
    }

    private void OnPodDelete(V1Pod pod)
    {
        if (OwnerKey(pod) is { } key)
        {
            _expectations.DeletionObserved(key, ReplicaSetLogic.PodKey(pod));
            Queue.Add(key);
        }
    }

    // An orphan may be adopted by any ReplicaSet whose selector matches it.
    private void EnqueueMatching(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            return;
        }

        foreach (var rs in _rsLister.List(pod.Metadata.NamespaceProperty, null))
        {
            if (LabelSelectorMatcher.Matches(rs.Spec?.Selector, pod.Metadata.Labels))
            {
                Enqueue(rs);
            }
        }
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var rs = _rsLister.Get(ns, name);
        if (rs is null)
        {
            _expectations.Delete(key);
            return;
        }

        var now = Now;
        var decision = ReplicaSetLogic.Decide(rs, _podLister.List(ns!, null), _expectations.Satisfied(key, now), now);
        var controllerRef = ControllerRef.For("apps/v1", "ReplicaSet", rs.Metadata);
        foreach (var pod in decision.Claim.ToAdopt)
        {
            await PatchOrIgnoreMissingAsync(pod, ControllerRefManager.AdoptPatch(pod.Metadata.Uid, controllerRef), cancellationToken).ConfigureAwait(false);
        }

        foreach (var pod in decision.Claim.ToRelease)
        {
            await PatchOrIgnoreMissingAsync(pod, ControllerRefManager.ReleasePatch(pod.Metadata.Uid, rs.Metadata.Uid), cancellationToken).ConfigureAwait(false);
        }

        string? error = null;
        if (decision.PodsToCreate > 0 && decision.PodTemplate is { } template)
        {
            error = await CreatePodsAsync(rs, key, template, decision.PodsToCreate, now, cancellationToken).ConfigureAwait(false);
        }
        else if (decision.PodsToDelete.Count > 0)
        {
            error = await DeletePodsAsync(rs, key, decision.PodsToDelete, now, cancellationToken).ConfigureAwait(false);
        }

        var status = error is null ? decision.Status : ReplicaSetLogic.ComputeStatus(rs, decision.Claim.Claimed, error, now);
        if (error is not null || decision.StatusChanged)
        {
            var copy = ObjectCopy.Deep(rs);
            copy.Status = status;
            await _replicaSets.ReplaceStatusAsync(copy, cancellationToken).ConfigureAwait(false);
        }

        if (error is not null)
        {
            throw new InvalidOperationException(error);
        }

        if (decision.RequeueAfter is { } after)
        {
            Queue.AddAfter(key, after);
        }
    }

    private async Task<string?> CreatePodsAsync(V1ReplicaSet rs, string key, V1Pod template, int count, DateTime now, CancellationToken cancellationToken)
    {
        _expectations.ExpectCreations(key, count, now);
        var remaining = count;
        foreach (var batch in ReplicaSetLogic.SlowStartBatches(count))
        {
            var results = await Task.WhenAll(Enumerable.Range(0, batch).Select(async _ =>
            {
                try
                {
                    var created = await _pods.CreateAsync(template, cancellationToken).ConfigureAwait(false);
                    _recorder?.Event(rs, EventTypes.Normal, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}");
                    return null;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _expectations.CreationObserved(key);
                    _recorder?.Event(rs, EventTypes.Warning, "FailedCreate", $"Error creating: {ApiErrors.MessageOf(ex)}");
                    return ex.Message;
                }
            })).ConfigureAwait(false);
            remaining -= batch;
            if (results.FirstOrDefault(r => r is not null) is { } failure)
            {
                // The skipped creations will never be observed either.
                for (var i = 0; i < remaining; i++)
                {
                    _expectations.CreationObserved(key);
                }

                return failure;
            }
        }

        return null;
    }

    private async Task<string?> DeletePodsAsync(V1ReplicaSet rs, string key, IReadOnlyList<V1Pod> pods, DateTime now, CancellationToken cancellationToken)
    {
        _expectations.ExpectDeletions(key, pods.Select(ReplicaSetLogic.PodKey), now);
        string? failure = null;
        foreach (var pod in pods)
        {
            try
            {
                if (await _pods.DeleteAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, null, cancellationToken).ConfigureAwait(false))
                {
                    _recorder?.Event(rs, EventTypes.Normal, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}");
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _expectations.DeletionObserved(key, ReplicaSetLogic.PodKey(pod));
                if (!ApiErrors.IsNotFound(ex))
                {
                    _recorder?.Event(rs, EventTypes.Warning, "FailedDelete", $"Error deleting: {ApiErrors.MessageOf(ex)}");
                    failure ??= ex.Message;
                }
            }
        }

        return failure;
    }

    private async Task PatchOrIgnoreMissingAsync(V1Pod pod, string patch, CancellationToken cancellationToken)
    {
        try
        {
            await _pods.PatchAsync(pod.Metadata.NamespaceProperty, pod.Metadata.Name, new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrors.IsNotFound(ex))
        {
        }
    }
}
