using k8s.Models;

namespace Stevedore.Controllers.GarbageCollector;

/// <summary>What the garbage collector keeps of one object: identity, owners, deletion state and finalizers.</summary>
public sealed record GraphObject(ObjectIdentity Identity, IReadOnlyList<V1OwnerReference> Owners, bool BeingDeleted, IReadOnlyList<string> Finalizers)
{
    /// <summary>Finalizer that makes the API wait for blocking dependents before removing the object.</summary>
    public const string ForegroundFinalizer = "foregroundDeletion";

    /// <summary>Finalizer that makes the garbage collector strip dependents' owner references first.</summary>
    public const string OrphanFinalizer = "orphan";

    /// <summary>Being deleted in the foreground: it waits for its blocking dependents.</summary>
    public bool DeletingDependents => BeingDeleted && Finalizers.Contains(ForegroundFinalizer);

    /// <summary>Builds the node from any object's metadata (typed or from a metadata-only informer).</summary>
    public static GraphObject From(string apiVersion, string kind, V1ObjectMeta meta) => new(
        new ObjectIdentity(apiVersion, kind, meta.NamespaceProperty, meta.Name, meta.Uid),
        [.. meta.OwnerReferences ?? []],
        meta.DeletionTimestamp is not null,
        [.. meta.Finalizers ?? []]);
}
