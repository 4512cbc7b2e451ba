using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.Endpoints;

/// <summary>
/// The Endpoints object of a Service from its selected pods (upstream <c>pkg/controller/endpoint</c>):
/// ready pods in <c>addresses</c>, the others in <c>notReadyAddresses</c> (all in addresses with
/// publishNotReadyAddresses), ports resolved per pod (named target ports), subsets packed so
/// that addresses serving the same ports share one subset, at most 1000 addresses. Pure.
/// </summary>
public static class EndpointsLogic
{
    public const int MaxCapacity = 1000;
    public const string OverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";

    /// <summary>Decides the write for <paramref name="service"/> given the pods of its namespace and the current Endpoints (null when none).</summary>
    public static EndpointsDecision Decide(V1Service service, IReadOnlyList<V1Pod> namespacePods, V1Endpoints? current)
    {
        if (service.Spec?.Type == "ExternalName" || !EndpointRules.HasSelector(service))
        {
            // Not ours: whatever Endpoints a user keeps for it stay untouched.
            return EndpointsDecision.Nothing;
        }

        var subsets = ComputeSubsets(service, namespacePods.Where(p => EndpointRules.Selects(service, p)));
        var truncated = Truncate(subsets);
        var labels = DesiredLabels(service);
        var overCapacity = truncated ? "truncated" : null;
        if (current is not null &&
            SemanticEquality.Equal(current.Subsets, subsets) &&
            SemanticEquality.Equal(current.Metadata?.Labels, labels) &&
            EndpointRules.ValueOf(current.Metadata?.Annotations, OverCapacityAnnotation) == overCapacity)
        {
            return EndpointsDecision.Nothing;
        }

        var desired = current is null
            ? new V1Endpoints { ApiVersion = "v1", Kind = "Endpoints", Metadata = new V1ObjectMeta { Name = service.Metadata.Name, NamespaceProperty = service.Metadata.NamespaceProperty } }
            : ObjectCopy.Deep(current);
        desired.Subsets = subsets;
        desired.Metadata.Labels = labels.Count == 0 ? null : labels;
        var annotations = desired.Metadata.Annotations is null ? new Dictionary<string, string>() : new Dictionary<string, string>(desired.Metadata.Annotations);
        if (overCapacity is null)
        {
            annotations.Remove(OverCapacityAnnotation);
        }
        else
        {
            annotations[OverCapacityAnnotation] = overCapacity;
        }

        desired.Metadata.Annotations = annotations.Count == 0 ? null : annotations;
        return current is null ? new EndpointsDecision(desired, null) : new EndpointsDecision(null, desired);
    }

    /// <summary>The Service's labels, plus the headless label when it has no cluster IP.</summary>
    public static Dictionary<string, string> DesiredLabels(V1Service service)
    {
        var labels = service.Metadata?.Labels is null ? [] : new Dictionary<string, string>(service.Metadata.Labels);
        if (EndpointRules.IsServiceIPSet(service))
        {
            labels.Remove(EndpointRules.HeadlessLabel);
        }
        else
        {
            labels[EndpointRules.HeadlessLabel] = "";
        }

        return labels;
    }

    /// <summary>The packed subsets for the selected pods, in a stable order.</summary>
    public static List<V1EndpointSubset> ComputeSubsets(V1Service service, IEnumerable<V1Pod> selectedPods)
    {
        var publishNotReady = service.Spec?.PublishNotReadyAddresses == true;
        var family = EndpointRules.PrimaryFamily(service);
        var servicePorts = service.Spec?.Ports ?? [];
        var headless = service.Spec?.ClusterIP == "None";

        // port (or none, for a headless Service without ports) -> address key -> (address, ready)
        var byPort = new Dictionary<string, (Corev1EndpointPort? Port, Dictionary<string, (V1EndpointAddress Address, bool Ready)> Addresses)>(StringComparer.Ordinal);
        foreach (var pod in selectedPods.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            if (!EndpointRules.ShouldPodBeInEndpoints(pod, publishNotReady) || EndpointRules.PodIP(pod, family) is not { } ip)
            {
                continue;
            }

            var address = new V1EndpointAddress
            {
                Ip = ip,
                NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
                TargetRef = EndpointRules.PodReference(pod),
                Hostname = EndpointRules.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
            };
            var ready = publishNotReady || PodState.IsReady(pod);
            if (servicePorts.Count == 0)
            {
                if (headless)
                {
                    Add(byPort, null, address, ready);
                }

                continue;
            }

            foreach (var servicePort in servicePorts)
            {
                if (EndpointRules.FindPort(pod, servicePort) is { } number)
                {
                    var port = new Corev1EndpointPort { Name = string.IsNullOrEmpty(servicePort.Name) ? null : servicePort.Name, Port = number, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol };
                    Add(byPort, port, address, ready);
                }
            }
        }

        // Ports offered by exactly the same addresses share a subset.
        var subsets = byPort.Values
            .GroupBy(entry => string.Join(';', entry.Addresses.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + (a.Value.Ready ? "+" : "-"))), StringComparer.Ordinal)
            .Select(group =>
            {
                var addresses = group.First().Addresses.Values;
                var ports = group.Where(g => g.Port is not null).Select(g => g.Port!).OrderBy(PortKey, StringComparer.Ordinal).ToList();
                var ready = addresses.Where(a => a.Ready).Select(a => a.Address).OrderBy(AddressKey, StringComparer.Ordinal).ToList();
                var notReady = addresses.Where(a => !a.Ready).Select(a => a.Address).OrderBy(AddressKey, StringComparer.Ordinal).ToList();
                return new V1EndpointSubset
                {
                    Addresses = ready.Count == 0 ? null : ready,
                    NotReadyAddresses = notReady.Count == 0 ? null : notReady,
                    Ports = ports.Count == 0 ? null : ports,
                };
            })
            .OrderBy(s => (s.Addresses ?? s.NotReadyAddresses)?.Select(AddressKey).FirstOrDefault() ?? "", StringComparer.Ordinal)
            .ThenBy(s => s.Ports?.Select(PortKey).FirstOrDefault() ?? "", StringComparer.Ordinal)
            .ToList();
        return subsets;
    }

    private static void Add(Dictionary<string, (Corev1EndpointPort? Port, Dictionary<string, (V1EndpointAddress Address, bool Ready)> Addresses)> byPort,
        Corev1EndpointPort? port, V1EndpointAddress address, bool ready)
    {
        var key = port is null ? "" : PortKey(port);
        if (!byPort.TryGetValue(key, out var entry))
        {
            entry = (port, new Dictionary<string, (V1EndpointAddress, bool)>(StringComparer.Ordinal));
            byPort[key] = entry;
        }

        var addressKey = AddressKey(address);
        // Not ready wins when one address shows up twice for a port.
        if (!entry.Addresses.TryGetValue(addressKey, out var existing) || existing.Ready)
        {
            entry.Addresses[addressKey] = (address, ready);
        }
    }

    private static string PortKey(Corev1EndpointPort port) => $"{port.Name}/{port.Port:D5}/{port.Protocol}/{port.AppProtocol}";

    private static string AddressKey(V1EndpointAddress address) => address.Ip + "/" + address.TargetRef?.Uid;

    /// <summary>
    /// Keeps at most <see cref="MaxCapacity"/> addresses, as upstream: ready ones first, each
    /// subset keeping its share. True when anything was dropped.
    /// </summary>
    public static bool Truncate(List<V1EndpointSubset> subsets)
    {
        var totalReady = subsets.Sum(s => s.Addresses?.Count ?? 0);
        var totalNotReady = subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0);
        if (totalReady + totalNotReady <= MaxCapacity)
        {
            return false;
        }

        var truncateReady = totalReady > MaxCapacity;
        var max = truncateReady ? MaxCapacity : MaxCapacity - totalReady;
        var total = truncateReady ? totalReady : totalNotReady;
        var canBeAdded = max;
        foreach (var subset in subsets)
        {
            var inSubset = truncateReady ? subset.Addresses?.Count ?? 0 : subset.NotReadyAddresses?.Count ?? 0;
            var share = Math.Min((int)Math.Ceiling((double)inSubset / total * max), canBeAdded);
            if (truncateReady)
            {
                subset.Addresses = subset.Addresses?.Take(share).ToList();
                subset.NotReadyAddresses = null;
                canBeAdded -= subset.Addresses?.Count ?? 0;
            }
            else
            {
                subset.NotReadyAddresses = subset.NotReadyAddresses?.Take(share).ToList();
                canBeAdded -= subset.NotReadyAddresses?.Count ?? 0;
            }
        }

        return true;
    }
}
