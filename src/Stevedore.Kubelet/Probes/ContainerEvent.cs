using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// An Event about one container of a pod (Unhealthy, ProbeWarning), for the agent's event recorder.
/// <see cref="InvolvedObject"/> is the reference upstream uses: the pod, with <c>fieldPath</c> naming the container.
/// </summary>
public sealed record ContainerEvent(V1Pod Pod, string ContainerName, string ContainerId, string Type, string Reason, string Message)
{
    /// <summary>The pod with <c>fieldPath: spec.containers{name}</c> (or <c>spec.initContainers{name}</c> for a sidecar).</summary>
    public V1ObjectReference InvolvedObject()
    {
        var isInit = Pod.Spec?.InitContainers?.Any(c => c.Name == ContainerName) == true;
        return new V1ObjectReference
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Name = Pod.Metadata?.Name,
            NamespaceProperty = Pod.Metadata?.NamespaceProperty,
            Uid = Pod.Metadata?.Uid,
            ResourceVersion = Pod.Metadata?.ResourceVersion,
            FieldPath = $"{(isInit ? "spec.initContainers" : "spec.containers")}{{{ContainerName}}}",
        };
    }
}
