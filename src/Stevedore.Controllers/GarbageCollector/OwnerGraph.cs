using k8s.Models;

namespace Stevedore.Controllers.GarbageCollector;

/// <summary>
/// The ownerReferences graph of the garbage collector (upstream GraphBuilder + attemptToDeleteItem +
/// attemptToOrphan), keyed by UID. Feed it every add/update/delete from the informers
/// (<see cref="Observe"/>, <see cref="ObserveDeleted"/>), enqueue the returned work, and let workers call
/// <see cref="AttemptToDelete"/> / <see cref="AttemptToOrphan"/> and execute the actions. Process the
/// queues only once all informers have synced, or fresh children look orphaned. Thread-safe.
/// </summary>
public sealed class OwnerGraph
{
    private readonly Dictionary<string, GraphObject> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _absent = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Number of objects in the graph.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _nodes.Count;
            }
        }
    }

    /// <summary>Records an added or updated object and returns what needs processing because of it.</summary>
    public GraphWork Observe(GraphObject obj)
    {
        lock (_gate)
        {
            var uid = obj.Identity.Uid;
            _nodes.TryGetValue(uid, out var old);
            _nodes[uid] = obj;
            _absent.Remove(uid);
            var toDelete = new List<string>();
            var toOrphan = new List<string>();

            foreach (var owner in old?.Owners ?? [])
            {
                Unlink(owner.Uid, uid);
            }

            foreach (var owner in obj.Owners)
            {
                Link(owner.Uid, uid);
            }

            if (old is null)
            {
                // A child whose owner was never seen may be garbage: let the worker verify it.
                if (obj.Owners.Any(o => !_nodes.ContainsKey(o.Uid)))
                {
                    toDelete.Add(uid);
                }
            }
            else
            {
                // An owner waiting in foreground deletion may be unblocked by this change.
                foreach (var before in old.Owners)
                {
                    var after = obj.Owners.FirstOrDefault(o => o.Uid == before.Uid);
                    var unblocked = after is null || (before.BlockOwnerDeletion == true && after.BlockOwnerDeletion != true);
                    if (unblocked && _nodes.TryGetValue(before.Uid, out var owner) && owner.DeletingDependents)
                    {
                        toDelete.Add(before.Uid);
                    }
                }
            }

            if (obj.BeingDeleted && obj.Finalizers.Contains(GraphObject.OrphanFinalizer))
            {
                toOrphan.Add(uid);
            }

            if (obj.DeletingDependents && old?.DeletingDependents != true)
            {
                toDelete.AddRange(DependentsOf(uid));
                toDelete.Add(uid);
            }

            return new GraphWork(toDelete.Distinct().ToList(), toOrphan);
        }
    }

    /// <summary>Records that an object is gone; its dependents now hold a dangling reference.</summary>
    public GraphWork ObserveDeleted(string uid)
    {
        lock (_gate)
        {
            if (!_nodes.Remove(uid, out var node))
            {
                return GraphWork.None;
            }

            var toDelete = DependentsOf(uid).ToList();
            if (toDelete.Count > 0)
            {
                _absent.Add(uid);
            }

            foreach (var owner in node.Owners)
            {
                Unlink(owner.Uid, uid);
                if (_nodes.TryGetValue(owner.Uid, out var ownerNode) && ownerNode.DeletingDependents)
                {
                    toDelete.Add(owner.Uid);
                }
            }

            return new GraphWork(toDelete.Distinct().ToList(), []);
        }
    }

    /// <summary>A live lookup found no object with this UID (404, or the name now has another UID).</summary>
    public void ConfirmAbsent(string uid)
    {
        lock (_gate)
        {
            if (!_nodes.ContainsKey(uid))
            {
                _absent.Add(uid);
            }
        }
    }

    /// <summary>UIDs of objects that list <paramref name="uid"/> as an owner.</summary>
    public IReadOnlyList<string> DependentsOf(string uid)
    {
        lock (_gate)
        {
            return _dependents.TryGetValue(uid, out var set) ? [.. set] : [];
        }
    }

    /// <summary>
    /// Decides for one object (upstream attemptToDeleteItem): finish a foreground deletion it is
    /// waiting on, or, judging its owners, keep it, strip dangling owner references, or delete it.
    /// </summary>
    public IReadOnlyList<GcAction> AttemptToDelete(string uid)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(uid, out var node))
            {
                return [];
            }

            if (node.DeletingDependents)
            {
                return ProcessDeletingDependents(node);
            }

            if (node.BeingDeleted || node.Owners.Count == 0)
            {
                return [];
            }

            var solid = new List<V1OwnerReference>();
            var dangling = new List<V1OwnerReference>();
            var waiting = new List<V1OwnerReference>();
            var unverified = new List<V1OwnerReference>();
            foreach (var reference in node.Owners)
            {
                if (_nodes.TryGetValue(reference.Uid, out var owner))
                {
                    (owner.DeletingDependents ? waiting : solid).Add(reference);
                }
                else
                {
                    (_absent.Contains(reference.Uid) ? dangling : unverified).Add(reference);
                }
            }

            if (unverified.Count > 0)
            {
                return [new VerifyOwners(node.Identity, unverified.Select(r => OwnerIdentity(node, r)).ToList())];
            }

            if (solid.Count > 0)
            {
                // A live owner keeps the object; only references to gone or foreground-deleting owners go.
                var remove = dangling.Concat(waiting).Select(r => r.Uid).ToList();
                return remove.Count == 0 ? [] : [new RemoveOwnerReferences(node.Identity, remove)];
            }

            if (waiting.Count > 0 && DependentsOf(uid).Count > 0)
            {
                // Delete in the foreground too, so the owner waits for the whole subtree. A dependent that
                // itself waits for us would deadlock: drop our blocking first.
                var actions = new List<GcAction>();
                if (DependentsOf(uid).Any(d => _nodes.TryGetValue(d, out var dep) && dep.DeletingDependents))
                {
                    actions.Add(new UnblockOwnerReferences(node.Identity));
                }

                actions.Add(new DeleteObject(node.Identity, "Foreground"));
                return actions;
            }

            var policy = node.Finalizers.Contains(GraphObject.OrphanFinalizer) ? "Orphan"
                : node.Finalizers.Contains(GraphObject.ForegroundFinalizer) ? "Foreground"
                : "Background";
            return [new DeleteObject(node.Identity, policy)];
        }
    }

    /// <summary>
    /// Orphan propagation (upstream attemptToOrphan): strip the owner reference from every dependent,
    /// then remove the orphan finalizer so the owner itself can go.
    /// </summary>
    public IReadOnlyList<GcAction> AttemptToOrphan(string uid)
    {
        lock (_gate)
        {
            if (!_nodes.TryGetValue(uid, out var node) || !node.BeingDeleted || !node.Finalizers.Contains(GraphObject.OrphanFinalizer))
            {
                return [];
            }

            var actions = new List<GcAction>();
            foreach (var dependent in DependentsOf(uid).Order(StringComparer.Ordinal))
            {
                if (_nodes.TryGetValue(dependent, out var dep))
                {
                    actions.Add(new RemoveOwnerReferences(dep.Identity, [uid]));
                }
            }

            actions.Add(new RemoveFinalizer(node.Identity, GraphObject.OrphanFinalizer));
            return actions;
        }
    }

    private List<GcAction> ProcessDeletingDependents(GraphObject node)
    {
        var blocking = DependentsOf(node.Identity.Uid)
            .Select(d => _nodes.GetValueOrDefault(d))
            .Where(d => d is not null && d.Owners.Any(o => o.Uid == node.Identity.Uid && o.BlockOwnerDeletion == true))
            .Select(d => d!)
            .ToList();
        if (blocking.Count == 0)
        {
            return [new RemoveFinalizer(node.Identity, GraphObject.ForegroundFinalizer)];
        }

        var pending = blocking.Where(d => !d.BeingDeleted).Select(d => d.Identity.Uid).Order(StringComparer.Ordinal).ToList();
        return pending.Count == 0 ? [] : [new ProcessDependents(node.Identity, pending)];
    }

    private static ObjectIdentity OwnerIdentity(GraphObject dependent, V1OwnerReference reference) =>
        new(reference.ApiVersion, reference.Kind, dependent.Identity.Namespace, reference.Name, reference.Uid);

    private void Link(string ownerUid, string dependentUid)
    {
        if (!_dependents.TryGetValue(ownerUid, out var set))
        {
            _dependents[ownerUid] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.Add(dependentUid);
    }

    private void Unlink(string ownerUid, string dependentUid)
    {
        if (_dependents.TryGetValue(ownerUid, out var set) && set.Remove(dependentUid) && set.Count == 0)
        {
            _dependents.Remove(ownerUid);
            _absent.Remove(ownerUid);
        }
    }
}
