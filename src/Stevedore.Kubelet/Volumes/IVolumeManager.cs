using k8s.Models;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Prepares a pod's volumes on the node and turns a container's volumeMounts into CRI mounts.
/// The pod worker calls <see cref="SetUpAsync"/> before the sandbox's containers are created,
/// <see cref="RefreshAsync"/> periodically while the pod runs and <see cref="TearDownAsync"/>
/// after its last container is removed.
/// </summary>
public interface IVolumeManager
{
    /// <summary>Makes every volume of the pod exist on the node. Idempotent.</summary>
    /// <exception cref="PodConfigException">A source is missing or unusable (reason FailedMount).</exception>
    Task SetUpAsync(V1Pod pod, CancellationToken cancellationToken);

    /// <summary>The CRI mounts for one container's volumeMounts (subPath resolved), after <see cref="SetUpAsync"/>.</summary>
    /// <param name="environment">The container's resolved environment (<see cref="IEnvironmentResolver"/>), which
    /// <c>subPathExpr</c> expands against; may be null when no mount uses subPathExpr.</param>
    /// <exception cref="PodConfigException">A mount names no volume or its subPath escapes the volume (reason CreateContainerConfigError).</exception>
    IReadOnlyList<Mount> MountsFor(V1Pod pod, V1Container container, IReadOnlyList<KeyValue>? environment = null);

    /// <summary>Rewrites configMap, secret, downwardAPI and projected volumes whose sources changed, atomically.</summary>
    Task RefreshAsync(V1Pod pod, CancellationToken cancellationToken);

    /// <summary>Removes everything the pod's volumes left on the node (mounts, directories). Idempotent.</summary>
    Task TearDownAsync(string podUid, CancellationToken cancellationToken);
}
