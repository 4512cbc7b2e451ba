using k8s.Models;
using Stevedore.Controllers.Common;

namespace Stevedore.Controllers.EndpointSlice;

/// <summary>
/// The EndpointSlices of a Service from its selected pods (upstream <c>pkg/controller/endpointslice</c>):
/// one endpoint per pod with ready / serving / terminating conditions, hostname, nodeName and a
/// pod reference; endpoints grouped by their resolved ports (a named target port can resolve
/// differently per pod), at most <see cref="MaxEndpointsPerSlice"/> per slice, one address type per
/// slice. Existing slices are reused so that a change rewrites as few slices as possible; a Service
/// with no endpoints keeps one empty placeholder slice. Pure.
/// </summary>
public static class EndpointSliceLogic
{
    public const string ControllerName = "endpointslice-controller.k8s.io";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const int MaxEndpointsPerSlice = 100;

    /// <summary>True for slices this controller owns (by the managed-by label).</summary>
    public static bool IsManaged(V1EndpointSlice slice) =>
        EndpointRules.ValueOf(slice.Metadata?.Labels, ManagedByLabel) == ControllerName;

    /// <summary>
    /// Plans the writes for <paramref name="service"/>. <paramref name="existing"/> are this
    /// controller's slices labelled with the Service's name (of any owner, any address type).
    /// </summary>
    public static EndpointSlicePlan Plan(V1Service service, IReadOnlyList<V1Pod> namespacePods, IReadOnlyList<V1EndpointSlice> existing, int maxEndpointsPerSlice = MaxEndpointsPerSlice)
    {
        if (service.Spec?.Type == "ExternalName" || !EndpointRules.HasSelector(service))
        {
            return EndpointSlicePlan.Nothing;
        }

        var live = existing.Where(s => s.Metadata?.DeletionTimestamp is null).ToList();
        var addressTypes = EndpointRules.AddressTypes(service);
        var toCreate = new List<V1EndpointSlice>();
        var toUpdate = new List<V1EndpointSlice>();
        var toDelete = new List<V1EndpointSlice>();

        // Slices of another incarnation of the Service, or of an address type it no longer has, go.
        toDelete.AddRange(live.Where(s => !OwnedBy(s, service) || !addressTypes.Contains(s.AddressType)));
        var selected = namespacePods.Where(p => EndpointRules.Selects(service, p)).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
        foreach (var addressType in addressTypes)
        {
            var mine = live.Where(s => OwnedBy(s, service) && s.AddressType == addressType).OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList();
            PlanAddressType(service, selected, addressType, mine, maxEndpointsPerSlice, toCreate, toUpdate, toDelete);
        }

        return new EndpointSlicePlan(toCreate, toUpdate, toDelete);
    }

    private static void PlanAddressType(V1Service service, List<V1Pod> pods, string addressType, List<V1EndpointSlice> existing, int max,
        List<V1EndpointSlice> toCreate, List<V1EndpointSlice> toUpdate, List<V1EndpointSlice> toDelete)
    {
        var labels = DesiredLabels(service);
        var owner = OwnerReference(service);

        // Desired endpoints grouped by the ports they serve.
        var groups = new SortedDictionary<string, (List<Discoveryv1EndpointPort> Ports, List<V1Endpoint> Endpoints)>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (!EndpointRules.ShouldPodBeInEndpoints(pod, includeTerminating: true) || EndpointRules.PodIP(pod, addressType) is not { } ip)
            {
                continue;
            }

            var ports = ResolvePorts(service, pod);
            var key = PortsKey(ports);
            if (!groups.TryGetValue(key, out var group))
            {
                group = (ports, []);
                groups[key] = group;
            }

            group.Endpoints.Add(ToEndpoint(service, pod, ip));
        }

        if (groups.Count == 0)
        {
            PlanPlaceholder(service, addressType, existing, labels, owner, toCreate, toUpdate, toDelete);
            return;
        }

        var byPorts = existing.GroupBy(s => PortsKey(s.Ports ?? []), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (key, list) in byPorts)
        {
            if (!groups.ContainsKey(key))
            {
                toDelete.AddRange(list);
            }
        }

        foreach (var (key, group) in groups)
        {
            var pending = new Dictionary<string, V1Endpoint>(StringComparer.Ordinal);
            foreach (var endpoint in group.Endpoints.OrderBy(e => e.Addresses[0], StringComparer.Ordinal))
            {
                pending[EndpointKey(endpoint)] = endpoint;
            }

            // First keep every endpoint where it already is, so unchanged slices stay untouched.
            var slots = new List<(V1EndpointSlice Slice, List<V1Endpoint> Endpoints)>();
            foreach (var slice in byPorts.GetValueOrDefault(key) ?? [])
            {
                var kept = new List<V1Endpoint>();
                foreach (var endpoint in slice.Endpoints ?? [])
                {
                    if (kept.Count < max && pending.Remove(EndpointKey(endpoint), out var desired))
                    {
                        kept.Add(desired);
                    }
                }

                slots.Add((slice, kept));
            }

            // Then fill the room left in existing slices, then new slices.
            var rest = new Queue<V1Endpoint>(pending.Values);
            foreach (var slot in slots)
            {
                while (slot.Endpoints.Count < max && slot.Endpoints.Count > 0 && rest.Count > 0)
                {
                    slot.Endpoints.Add(rest.Dequeue());
                }
            }

            foreach (var slot in slots)
            {
                while (slot.Endpoints.Count < max && rest.Count > 0)
                {
                    slot.Endpoints.Add(rest.Dequeue());
                }
            }

            foreach (var (slice, endpoints) in slots)
            {
                if (endpoints.Count == 0)
                {
                    toDelete.Add(slice);
                    continue;
                }

                if (!SemanticEquality.Equal(slice.Endpoints, endpoints) || !SameMeta(slice, labels, owner))
                {
                    var updated = ObjectCopy.Deep(slice);
                    updated.Endpoints = endpoints;
                    updated.Metadata.Labels = new Dictionary<string, string>(labels);
                    updated.Metadata.OwnerReferences = [owner];
                    toUpdate.Add(updated);
                }
            }

            while (rest.Count > 0)
            {
                var chunk = new List<V1Endpoint>();
                while (chunk.Count < max && rest.Count > 0)
                {
                    chunk.Add(rest.Dequeue());
                }

                toCreate.Add(NewSlice(service, addressType, group.Ports, chunk, labels, owner));
            }
        }
    }

    private static void PlanPlaceholder(V1Service service, string addressType, List<V1EndpointSlice> existing, Dictionary<string, string> labels, V1OwnerReference owner,
        List<V1EndpointSlice> toCreate, List<V1EndpointSlice> toUpdate, List<V1EndpointSlice> toDelete)
    {
        var placeholder = existing.FirstOrDefault(s => s.Endpoints is not { Count: > 0 } && s.Ports is not { Count: > 0 });
        foreach (var slice in existing.Where(s => !ReferenceEquals(s, placeholder)))
        {
            toDelete.Add(slice);
        }

        if (placeholder is null)
        {
            toCreate.Add(NewSlice(service, addressType, [], [], labels, owner));
        }
        else if (!SameMeta(placeholder, labels, owner))
        {
            var updated = ObjectCopy.Deep(placeholder);
            updated.Metadata.Labels = new Dictionary<string, string>(labels);
            updated.Metadata.OwnerReferences = [owner];
            toUpdate.Add(updated);
        }
    }

    /// <summary>The endpoint of one pod: ready only when serving and not terminating, unless the Service publishes not-ready addresses.</summary>
    public static V1Endpoint ToEndpoint(V1Service service, V1Pod pod, string ip)
    {
        var serving = PodState.IsReady(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null;
        var ready = service.Spec?.PublishNotReadyAddresses == true || (serving && !terminating);
        return new V1Endpoint
        {
            Addresses = [ip],
            Conditions = new V1EndpointConditions { Ready = ready, Serving = serving, Terminating = terminating },
            Hostname = EndpointRules.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
            NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
            TargetRef = EndpointRules.PodReference(pod),
        };
    }

    /// <summary>The Service's ports as this pod serves them; a port whose named target the pod lacks is left out.</summary>
    public static List<Discoveryv1EndpointPort> ResolvePorts(V1Service service, V1Pod pod)
    {
        var ports = new List<Discoveryv1EndpointPort>();
        foreach (var servicePort in service.Spec?.Ports ?? [])
        {
            if (EndpointRules.FindPort(pod, servicePort) is { } number)
            {
                ports.Add(new Discoveryv1EndpointPort { Name = servicePort.Name ?? "", Port = number, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol });
            }
        }

        return ports;
    }

    /// <summary>The Service's labels (minus the controller's own keys), the headless marker, the service name and managed-by.</summary>
    public static Dictionary<string, string> DesiredLabels(V1Service service)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in service.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            if (key is not (ServiceNameLabel or ManagedByLabel or EndpointRules.HeadlessLabel))
            {
                labels[key] = value;
            }
        }

        if (service.Spec?.ClusterIP == "None")
        {
            labels[EndpointRules.HeadlessLabel] = "";
        }

        labels[ServiceNameLabel] = service.Metadata!.Name;
        labels[ManagedByLabel] = ControllerName;
        return labels;
    }

    public static V1OwnerReference OwnerReference(V1Service service) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Name = service.Metadata.Name,
        Uid = service.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    private static bool OwnedBy(V1EndpointSlice slice, V1Service service) =>
        slice.Metadata?.OwnerReferences?.Any(o => o.Uid == service.Metadata.Uid && o.Kind == "Service") == true;

    private static bool SameMeta(V1EndpointSlice slice, Dictionary<string, string> labels, V1OwnerReference owner) =>
        SemanticEquality.Equal(slice.Metadata.Labels, labels) && SemanticEquality.Equal(slice.Metadata.OwnerReferences, new List<V1OwnerReference> { owner });

    private static V1EndpointSlice NewSlice(V1Service service, string addressType, List<Discoveryv1EndpointPort> ports, List<V1Endpoint> endpoints,
        Dictionary<string, string> labels, V1OwnerReference owner) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            GenerateName = service.Metadata.Name + "-",
            NamespaceProperty = service.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string>(labels),
            OwnerReferences = [owner],
        },
        AddressType = addressType,
        Endpoints = endpoints,
        Ports = ports,
    };

    private static string PortsKey(IEnumerable<Discoveryv1EndpointPort> ports) =>
        string.Join(';', ports.Select(p => $"{p.Name}/{p.Port}/{p.Protocol ?? "TCP"}/{p.AppProtocol}").Order(StringComparer.Ordinal));

    private static string EndpointKey(V1Endpoint endpoint) =>
        endpoint.TargetRef?.Uid is { Length: > 0 } uid ? uid : string.Join(',', endpoint.Addresses ?? []);
}
