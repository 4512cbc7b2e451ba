using k8s.Models;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Computes a container's environment as upstream: envFrom (configMap, secret, prefix), env
/// (value with $(VAR) expansion, configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef), in order.
/// </summary>
public interface IEnvironmentResolver
{
    /// <exception cref="PodConfigException">A required ConfigMap, Secret or key is missing (reason CreateContainerConfigError).</exception>
    Task<IReadOnlyList<KeyValue>> ResolveAsync(V1Pod pod, V1Container container, CancellationToken cancellationToken);
}
