using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Cache;
using Stevedore.Client.Events;
using Stevedore.Client.Informers;
using Stevedore.Client.Resources;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.Deployment;

namespace Stevedore.Controllers.Host;

/// <summary>Wires <see cref="DeploymentLogic"/>: one ReplicaSet per template, rollouts, revisions and status.</summary>
public sealed class DeploymentController : QueueController
{
    private readonly ResourceClient<V1Deployment> _deployments;
    private readonly ResourceClient<V1ReplicaSet> _replicaSets;
    private readonly EventRecorder _recorder;
    private Lister<V1Deployment> _deploymentLister = null!;
    private Lister<V1ReplicaSet> _rsLister = null!;
    private Lister<V1Pod> _podLister = null!;

    public DeploymentController(IKubernetes client, EventRecorder recorder, ILogger logger, TimeProvider time, int workers = 4)
        : base(logger, time, workers)
    {
        _deployments = new ResourceClient<V1Deployment>(client);
        _replicaSets = new ResourceClient<V1ReplicaSet>(client);
        _recorder = recorder;
    }

    public override string Name => "deployment";

    public override void Register(SharedInformerFactory informers)
    {
        var deployments = informers.GetInformer<V1Deployment>();
        var replicaSets = informers.GetInformer<V1ReplicaSet>();
        var pods = informers.GetInformer<V1Pod>();
        _deploymentLister = deployments.Lister;
        _rsLister = replicaSets.Lister;
        _podLister = pods.Lister;
        Handle(deployments, Enqueue, (_, n) => Enqueue(n), Enqueue);
        Handle(replicaSets, OnReplicaSet, (o, n) =>
        {
            OnReplicaSet(o);
            OnReplicaSet(n);
        }, OnReplicaSet);
        Handle<V1Pod>(pods, onDelete: OnPodDelete);
    }

    private void OnReplicaSet(V1ReplicaSet rs)
    {
        var owner = ControllerRef.Of(rs.Metadata);
        if (owner is not null)
        {
            if (owner.Kind == "Deployment")
            {
                Queue.Add(ObjectKeys.For(rs.Metadata.NamespaceProperty, owner.Name));
            }

            return;
        }

        foreach (var d in _deploymentLister.List(rs.Metadata.NamespaceProperty, null))
        {
            if (LabelSelectorMatcher.Matches(d.Spec?.Selector, rs.Metadata.Labels))
            {
                Enqueue(d);
            }
        }
    }

    // Recreate waits for old pods to go away.
    private void OnPodDelete(V1Pod pod)
    {
        var rsRef = ControllerRef.Of(pod.Metadata);
        if (rsRef is not { Kind: "ReplicaSet" } || _rsLister.Get(pod.Metadata.NamespaceProperty, rsRef.Name) is not { } rs)
        {
            return;
        }

        if (ControllerRef.Of(rs.Metadata) is { Kind: "Deployment" } owner)
        {
            Queue.Add(ObjectKeys.For(pod.Metadata.NamespaceProperty, owner.Name));
        }
    }

    protected override async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var deployment = _deploymentLister.Get(ns, name);
        if (deployment is null)
        {
            return;
        }

        deployment = ObjectCopy.Deep(deployment);
        var replicaSets = _rsLister.List(ns!, null);
        var ownedRs = replicaSets.Where(r => ControllerRef.Of(r.Metadata)?.Uid == deployment.Metadata.Uid).Select(r => r.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var pods = _podLister.List(ns!, null).Where(p => ControllerRef.Of(p.Metadata) is { Kind: "ReplicaSet" } r && ownedRs.Contains(r.Name)).ToList();
        var now = Now;
        var decision = DeploymentLogic.Decide(deployment, replicaSets, pods, now);

        foreach (var action in decision.Actions)
        {
            if (!await ExecuteAsync(deployment, action, now, cancellationToken).ConfigureAwait(false))
            {
                Queue.AddRateLimited(key);
                return;
            }
        }

        foreach (var evt in decision.Events)
        {
            _recorder.Event(deployment, evt.Type, evt.Reason, evt.Message);
        }

        if (decision.Revision is { } revision)
        {
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [DeploymentAnnotations.Revision] = revision } } };
            // The status write below starts from what the server now holds, not from the lister's copy with the
            // patch's resourceVersion grafted on: that copy may predate another writer (a `kubectl apply` between
            // this sync's read and the patch), and a status write carries metadata, so it would put back the old
            // last-applied annotation without a conflict.
            deployment = await _deployments.PatchAsync(ns, name, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
        }

        if (decision.StatusChanged)
        {
            await WriteStatusAsync(deployment, decision.Status, cancellationToken).ConfigureAwait(false);
        }

        if (decision.RequeueAfter is { } after)
        {
            Queue.AddAfter(key, after);
        }
    }

    private async Task WriteStatusAsync(V1Deployment deployment, V1DeploymentStatus status, CancellationToken cancellationToken)
    {
        deployment.Status = status;
        await _deployments.ReplaceStatusAsync(deployment, cancellationToken).ConfigureAwait(false);
    }

    // False: stop this sync and retry later (as upstream, the first failing action ends the sync).
    private async Task<bool> ExecuteAsync(V1Deployment deployment, DeploymentAction action, DateTime now, CancellationToken cancellationToken)
    {
        var rs = action.ReplicaSet;
        var ns = rs.Metadata.NamespaceProperty ?? deployment.Metadata.NamespaceProperty;
        switch (action)
        {
            case AdoptReplicaSet adopt:
                await _replicaSets.PatchAsync(ns, rs.Metadata.Name, new V1Patch(adopt.Patch, V1Patch.PatchType.StrategicMergePatch), cancellationToken).ConfigureAwait(false);
                return true;
            case ReleaseReplicaSet release:
                await _replicaSets.PatchAsync(ns, rs.Metadata.Name, new V1Patch(release.Patch, V1Patch.PatchType.StrategicMergePatch), cancellationToken).ConfigureAwait(false);
                return true;
            case CreateReplicaSet:
                return await CreateAsync(deployment, rs, now, cancellationToken).ConfigureAwait(false);
            case UpdateReplicaSet:
                await _replicaSets.ReplaceAsync(rs, cancellationToken).ConfigureAwait(false);
                return true;
            case DeleteReplicaSet:
                await _replicaSets.DeleteAsync(ns, rs.Metadata.Name, new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = rs.Metadata.Uid } }, cancellationToken).ConfigureAwait(false);
                return true;
            default:
                throw new InvalidOperationException("unknown deployment action " + action.GetType().Name);
        }
    }

    private async Task<bool> CreateAsync(V1Deployment deployment, V1ReplicaSet rs, DateTime now, CancellationToken cancellationToken)
    {
        try
        {
            await _replicaSets.CreateAsync(rs, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ApiErrors.IsAlreadyExists(ex))
        {
            var existing = await _replicaSets.GetAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, cancellationToken).ConfigureAwait(false);
            if (existing is not null && DeploymentLogic.ResolveCreateConflict(deployment, existing) is { } collided)
            {
                await WriteStatusAsync(deployment, collided, cancellationToken).ConfigureAwait(false);
            }

            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var (status, evt) = DeploymentLogic.FailedCreateStatus(deployment, rs.Metadata.Name, ex.Message, now);
            _recorder.Event(deployment, evt.Type, evt.Reason, evt.Message);
            if (status is not null)
            {
                await WriteStatusAsync(deployment, status, cancellationToken).ConfigureAwait(false);
            }

            return false;
        }
    }
}
