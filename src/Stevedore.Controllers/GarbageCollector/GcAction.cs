namespace Stevedore.Controllers.GarbageCollector;

/// <summary>One write (or lookup) the garbage collector decided on. Execute in order; on failure requeue the item.</summary>
public abstract record GcAction(ObjectIdentity Target);

/// <summary>Delete <paramref name="Target"/> with a UID precondition and this propagation policy (Background, Foreground, Orphan).</summary>
public sealed record DeleteObject(ObjectIdentity Target, string PropagationPolicy) : GcAction(Target);

/// <summary>Patch <paramref name="Target"/> to drop the owner references with these UIDs.</summary>
public sealed record RemoveOwnerReferences(ObjectIdentity Target, IReadOnlyList<string> OwnerUids) : GcAction(Target);

/// <summary>Patch <paramref name="Target"/> to set blockOwnerDeletion=false on its owner references (breaks foreground cycles).</summary>
public sealed record UnblockOwnerReferences(ObjectIdentity Target) : GcAction(Target);

/// <summary>Remove <paramref name="Finalizer"/> from <paramref name="Target"/>.</summary>
public sealed record RemoveFinalizer(ObjectIdentity Target, string Finalizer) : GcAction(Target);

/// <summary>
/// The graph has never seen these owners: look each up live (GET by name, compare UID); call
/// <see cref="OwnerGraph.ConfirmAbsent"/> for the missing ones, then process <paramref name="Target"/> again.
/// </summary>
public sealed record VerifyOwners(ObjectIdentity Target, IReadOnlyList<ObjectIdentity> Owners) : GcAction(Target);

/// <summary>Put these objects on the attempt-to-delete queue (blocking dependents of a foreground deletion).</summary>
public sealed record ProcessDependents(ObjectIdentity Target, IReadOnlyList<string> Uids) : GcAction(Target);
