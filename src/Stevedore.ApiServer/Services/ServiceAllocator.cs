using System.Net;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// Cluster IPs, node ports and health check node ports for Services, as upstream's service
/// registry allocates them: requested values are honoured when free and in range (422 with
/// upstream's messages otherwise), missing ones are picked at random from the upper part of the
/// range, values the Service already held are kept, and values it stops holding (a type change,
/// a removed port, a delete) are freed once the write is stored. Single-stack IPv4.
/// </summary>
public sealed class ServiceAllocator(ServiceIPRange ips, NodePortRange nodePorts, AllocationTable table) : IResourceAllocator
{
    public ServiceIPRange IPs { get; } = ips;

    public NodePortRange NodePorts { get; } = nodePorts;

    public AllocationTable Table { get; } = table;

    public bool Handles(ApiResource resource) => resource.Group.Length == 0 && resource.Kind == "Service";

    public IAllocation Allocate(JsonObject desired, JsonObject? current, bool dryRun)
    {
        var meta = Json.Metadata(desired);
        var uid = Json.GetString(meta, "uid") ?? throw new InvalidOperationException("a Service reaches allocation without a uid");
        var name = Json.GetString(meta, "name") ?? "";
        var spec = desired.Ensure("spec");
        var currentSpec = current.Obj("spec");
        var reservation = new Reservation(Table, uid);
        try
        {
            AllocateClusterIP(spec, currentSpec, name, reservation, dryRun);
            AllocateNodePorts(spec, currentSpec, name, reservation, dryRun);
            AllocateHealthCheckNodePort(spec, currentSpec, name, reservation, dryRun);
        }
        catch
        {
            reservation.Release();
            throw;
        }

        reservation.Held = AllocationKeys.HeldBy(desired);
        return reservation;
    }

    public void Removed(JsonObject removed, long revision)
    {
        if (Json.GetString(Json.Metadata(removed), "uid") is { Length: > 0 } uid)
        {
            Table.Observe(uid, revision, []);
        }
    }

    private void AllocateClusterIP(JsonObject spec, JsonObject? currentSpec, string name, Reservation reservation, bool dryRun)
    {
        if (ServiceTypes.Of(spec) == "ExternalName")
        {
            return;
        }

        var clusterIP = spec.Str("clusterIP") ?? "";
        if (clusterIP == "None")
        {
            return;
        }

        CheckFamilies(spec, name);
        if (clusterIP.Length == 0)
        {
            var key = Table.TryReserveFirstFree(Candidates(IPs.Size, IPs.StaticBandSize).Select(o => AllocationKeys.ForIP(IPs.At(o))), reservation.Uid, !dryRun)
                ?? throw InternalError("failed to allocate a serviceIP: range is full");
            reservation.Reserved(key, dryRun);
            var allocated = key["ip/".Length..];
            spec["clusterIP"] = allocated;
            spec["clusterIPs"] = new JsonArray(allocated);
            return;
        }

        var address = IPAddress.Parse(clusterIP);
        var heldBefore = currentSpec is not null && ServiceTypes.NeedsClusterIP(currentSpec) &&
            (currentSpec.Str("clusterIP") == clusterIP || currentSpec.Arr("clusterIPs")?.Any(ip => ip?.ToString() == clusterIP) == true);
        if (heldBefore)
        {
            return;
        }

        var requested = new RenderedValue(StringSlice(spec.Arr("clusterIPs")));
        if (!IPs.Contains(address))
        {
            throw Invalid(name, FieldError.Invalid("spec.clusterIPs", requested,
                $"failed to allocate IP {clusterIP}: the provided IP ({clusterIP}) is not in the valid range. The range of valid IPs is {IPs.Cidr}"));
        }

        var ipKey = AllocationKeys.ForIP(address);
        if (!Claim(ipKey, reservation, dryRun))
        {
            throw Invalid(name, FieldError.Invalid("spec.clusterIPs", requested, $"failed to allocate IP {clusterIP}: provided IP is already allocated"));
        }
    }

    /// <summary>This cluster is single-stack IPv4: a Service that needs anything else is refused as upstream does.</summary>
    private static void CheckFamilies(JsonObject spec, string name)
    {
        var errors = new List<FieldError>();
        if (spec.Str("ipFamilyPolicy") == "RequireDualStack")
        {
            errors.Add(FieldError.Invalid("spec.ipFamilyPolicy", "RequireDualStack", "this cluster is not configured for dual-stack services"));
        }

        var families = spec.Arr("ipFamilies")?.Select(f => f?.ToString() ?? "").ToList() ?? [];
        for (var i = 0; i < families.Count; i++)
        {
            if (families[i] != "IPv4")
            {
                errors.Add(FieldError.Invalid("spec.ipFamilies".Index(i), families[i], "not configured on this cluster"));
            }
        }

        var clusterIPs = spec.Arr("clusterIPs")?.Select(ip => ip?.ToString() ?? "").ToList() ?? [];
        for (var i = 1; i < clusterIPs.Count; i++)
        {
            if (IPAddress.TryParse(clusterIPs[i], out var extra) && extra.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                errors.Add(FieldError.Invalid("spec.clusterIPs".Index(i), new RenderedValue(StringSlice(spec.Arr("clusterIPs"))), "IPv6 is not configured on this cluster"));
            }
        }

        if (errors.Count > 0)
        {
            throw Invalid(name, [.. errors]);
        }
    }

    private void AllocateNodePorts(JsonObject spec, JsonObject? currentSpec, string name, Reservation reservation, bool dryRun)
    {
        var type = ServiceTypes.Of(spec);
        var shouldAllocate = type == "NodePort" || (type == "LoadBalancer" && spec.Bool("allocateLoadBalancerNodePorts") != false);
        var ports = spec.Arr("ports").Objects().ToList();
        var heldBefore = currentSpec.Arr("ports").Objects().Select(p => p.Int("nodePort") ?? 0).Where(p => p > 0).ToHashSet();

        // A service port number served over two protocols shares one node port, as upstream.
        var byServicePort = new Dictionary<long, long>();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].Int("nodePort") is not { } requested || requested <= 0)
            {
                continue;
            }

            if (!heldBefore.Contains(requested))
            {
                ClaimPort(requested, "spec.ports".Index(i).Child("nodePort"), "", name, reservation, dryRun);
            }

            byServicePort.TryAdd(ports[i].Int("port") ?? 0, requested);
        }

        if (!shouldAllocate)
        {
            return;
        }

        foreach (var port in ports)
        {
            if (port.Int("nodePort") is > 0)
            {
                continue;
            }

            var servicePort = port.Int("port") ?? 0;
            if (!byServicePort.TryGetValue(servicePort, out var nodePort))
            {
                nodePort = NextPort(reservation, dryRun, "failed to allocate a nodePort: range is full");
                byServicePort[servicePort] = nodePort;
            }

            port["nodePort"] = nodePort;
        }
    }

    private void AllocateHealthCheckNodePort(JsonObject spec, JsonObject? currentSpec, string name, Reservation reservation, bool dryRun)
    {
        if (!ServiceTypes.NeedsHealthCheckNodePort(spec))
        {
            return;
        }

        var requested = spec.Int("healthCheckNodePort") ?? 0;
        if (requested > 0)
        {
            var heldBefore = currentSpec is not null && ServiceTypes.NeedsHealthCheckNodePort(currentSpec) && currentSpec.Int("healthCheckNodePort") == requested;
            if (!heldBefore)
            {
                ClaimPort(requested, "spec.healthCheckNodePort", $"failed to allocate requested HealthCheck NodePort {requested}: ", name, reservation, dryRun);
            }

            return;
        }

        spec["healthCheckNodePort"] = NextPort(reservation, dryRun, "failed to allocate a HealthCheck NodePort: range is full");
    }

    private void ClaimPort(long port, string field, string prefix, string name, Reservation reservation, bool dryRun)
    {
        if (!NodePorts.Contains(port))
        {
            throw Invalid(name, FieldError.Invalid(field, port, $"{prefix}provided port is not in the valid range. The range of valid ports is {NodePorts}"));
        }

        if (!Claim(AllocationKeys.ForPort(port), reservation, dryRun))
        {
            throw Invalid(name, FieldError.Invalid(field, port, $"{prefix}provided port is already allocated"));
        }
    }

    private long NextPort(Reservation reservation, bool dryRun, string fullMessage)
    {
        var candidates = Candidates(NodePorts.Size, NodePorts.StaticBandSize).Select(o => AllocationKeys.ForPort(NodePorts.At(o)));
        var key = Table.TryReserveFirstFree(candidates, reservation.Uid, !dryRun) ?? throw InternalError(fullMessage);
        reservation.Reserved(key, dryRun);
        return long.Parse(key["port/".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private bool Claim(string key, Reservation reservation, bool dryRun)
    {
        if (dryRun)
        {
            return Table.IsAvailable(key, reservation.Uid);
        }

        if (!Table.TryReserve(key, reservation.Uid))
        {
            return false;
        }

        reservation.Reserved(key, dryRun);
        return true;
    }

    /// <summary>Offsets to try: the upper band from a random start, then the static lower band the same way.</summary>
    internal static IEnumerable<int> Candidates(int size, int staticBand)
    {
        var upper = size - staticBand;
        var start = upper > 0 ? Random.Shared.Next(upper) : 0;
        for (var i = 0; i < upper; i++)
        {
            yield return staticBand + ((start + i) % upper);
        }

        start = staticBand > 0 ? Random.Shared.Next(staticBand) : 0;
        for (var i = 0; i < staticBand; i++)
        {
            yield return (start + i) % staticBand;
        }
    }

    private static string StringSlice(JsonArray? values) =>
        "[]string{" + string.Join(", ", (values ?? []).Select(v => BadValues.Quote(v?.ToString() ?? ""))) + "}";

    private static ApiException Invalid(string name, params FieldError[] errors) =>
        ApiException.Invalid("Service", "Service", "", name, [.. errors.Select(e => new StatusCause(e.Reason, e.Message, e.Field))]);

    private static ApiException InternalError(string message) =>
        new(500, "InternalError", "Internal error occurred: " + message);

    /// <summary>The values one write reserved, and what the Service will hold once stored.</summary>
    private sealed class Reservation(AllocationTable table, string uid) : IAllocation
    {
        private readonly List<string> _reserved = [];
        private int _settled;

        public string Uid { get; } = uid;

        public IReadOnlyCollection<string> Held { get; set; } = [];

        public void Reserved(string key, bool dryRun)
        {
            if (!dryRun)
            {
                _reserved.Add(key);
            }
        }

        public void Commit(long revision)
        {
            if (Interlocked.Exchange(ref _settled, 1) == 0)
            {
                table.Observe(Uid, revision, Held);
                table.Release(Uid, _reserved);
            }
        }

        public void Release()
        {
            if (Interlocked.Exchange(ref _settled, 1) == 0)
            {
                table.Release(Uid, _reserved);
            }
        }
    }
}
