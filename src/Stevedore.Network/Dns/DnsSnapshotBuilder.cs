using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Dns;

/// <summary>
/// Turns Services and their endpoints into the records of the Kubernetes DNS specification
/// (kubernetes/dns docs/specification.md), with CoreDNS's choices where the specification leaves
/// room. Pure: same input, same snapshot.
/// <list type="bullet">
/// <item><c>svc.ns.svc.zone</c>: A/AAAA of the cluster IPs; for a headless Service, of its published
/// endpoints (ready ones, or all with publishNotReadyAddresses), none published → the name does not
/// exist; an ExternalName Service is a CNAME.</item>
/// <item><c>endpoint.svc.ns.svc.zone</c> for every published endpoint: the endpoint's hostname, or its
/// address with dashes (<c>10-42-0-7</c>) when it has none (CoreDNS's default), for any Service with endpoints.</item>
/// <item><c>_port._proto.svc.ns.svc.zone</c> SRV for named ports: to the Service name (cluster IP), or to
/// each endpoint name with the endpoint's port (headless); the targets' addresses go as additional data.</item>
/// <item>PTR for cluster IPs (to the Service name) and endpoint addresses (to the endpoint name).</item>
/// <item>Apex SOA and NS, <c>dns-version.zone</c> TXT.</item>
/// </list>
/// Names the DNS cannot carry (a label over 63 bytes, a name over 255) are left out.
/// </summary>
public static class DnsSnapshotBuilder
{
    /// <summary>The version of the specification served as <c>dns-version.&lt;zone&gt;</c>.</summary>
    public const string SchemaVersion = "1.0.1";

    public static DnsSnapshot Build(DnsZoneOptions zone, IEnumerable<DnsService> services, uint serial)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(services);
        return Build(zone, services.Select(s => RecordsOf(zone, s)), serial);
    }

    /// <summary>The records one Service contributes: computed once per change of the Service or its endpoints, reused by every rebuild until then.</summary>
    public static DnsServiceRecords RecordsOf(DnsZoneOptions zone, DnsService service)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(service);
        var builder = new ServiceBuilder(zone);
        builder.AddService(service);
        return builder.Finish();
    }

    /// <summary>The snapshot of the zone's own records and the given Services' records.</summary>
    public static DnsSnapshot Build(DnsZoneOptions zone, IEnumerable<DnsServiceRecords> services, uint serial)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(services);
        var zoneKey = zone.Key;
        var names = new Dictionary<string, DnsRecord[]>(StringComparer.Ordinal);
        var soa = DnsSnapshot.Soa(zone, serial);
        names[zoneKey] = [soa, DnsRecord.Ns(DnsName.Encode("ns.dns." + zoneKey), zone.Ttl)];
        Add(names, zoneKey, "dns-version." + zoneKey, [DnsRecord.Txt(SchemaVersion, zone.Ttl)]);
        Add(names, zoneKey, "svc." + zoneKey, []);
        Add(names, zoneKey, "pod." + zoneKey, []);
        var count = 0;
        foreach (var service in services)
        {
            count++;
            foreach (var (key, records) in service.Names)
            {
                Add(names, zoneKey, key, records);
            }
        }

        return new DnsSnapshot(zone, names, soa, serial, count);
    }

    /// <summary>Adds records to a name, creating it and every name between it and its zone's apex (empty non-terminals).</summary>
    private static void Add(Dictionary<string, DnsRecord[]> names, string zoneKey, string key, DnsRecord[] records)
    {
        if (names.TryGetValue(key, out var existing))
        {
            if (records.Length > 0)
            {
                names[key] = existing.Length == 0 ? records : [.. existing, .. records];
            }

            return;
        }

        names[key] = records;
        var apex = DnsName.IsAtOrBelow(key, zoneKey) ? zoneKey
            : DnsName.IsAtOrBelow(key, DnsSnapshot.ReverseV4Zone) ? DnsSnapshot.ReverseV4Zone
            : DnsSnapshot.ReverseV6Zone;
        var current = key;
        while (current.Length > apex.Length)
        {
            current = current[(current.IndexOf('.', StringComparison.Ordinal) + 1)..];
            if (!names.TryAdd(current, []))
            {
                return;
            }
        }
    }

    /// <summary>The reverse-lookup key of an address: <c>4.3.2.1.in-addr.arpa</c>, or nibbles under <c>ip6.arpa</c>.</summary>
    public static string ReverseKey(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        var text = new StringBuilder();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                text.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
            }
            else
            {
                text.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }
        }

        return text.Append(address.AddressFamily == AddressFamily.InterNetworkV6 ? DnsSnapshot.ReverseV6Zone : DnsSnapshot.ReverseV4Zone).ToString();
    }

    /// <summary>The name of an endpoint without a hostname: its address with dashes (<c>10-42-0-7</c>, <c>fd00--7</c>).</summary>
    public static string DashedName(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.ToString().Replace('.', '-').Replace(':', '-');
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'a' + value - 10);

    /// <summary>The records of one Service, grouped by name.</summary>
    private sealed class ServiceBuilder(DnsZoneOptions zone)
    {
        private readonly string _zoneKey = zone.Key;
        private readonly uint _ttl = zone.Ttl;
        private readonly Dictionary<string, List<DnsRecord>> _names = new(StringComparer.Ordinal);
        private readonly Dictionary<string, byte[]> _wires = new(StringComparer.Ordinal);

        public void AddService(DnsService service)
        {
            var baseKey = $"{service.Name}.{service.Namespace}.svc.{_zoneKey}".ToLowerInvariant();
            if (Wire(baseKey) is not { } baseWire)
            {
                return;
            }

            switch (service.Kind)
            {
                case DnsServiceKind.ExternalName:
                    if (service.ExternalName?.TrimEnd('.') is { Length: > 0 } alias && DnsName.TryEncode(alias, out var target, out _))
                    {
                        Add(baseKey, DnsRecord.Cname(target, _ttl));
                    }

                    break;
                case DnsServiceKind.ClusterIP:
                    var addresses = service.ClusterIPs.Distinct().Select(ip => DnsRecord.Address(ip, _ttl)).ToArray();
                    foreach (var (ip, record) in service.ClusterIPs.Distinct().Zip(addresses))
                    {
                        Add(baseKey, record);
                        AddReverse(ip, baseWire);
                    }

                    foreach (var port in service.Ports.Where(p => !string.IsNullOrEmpty(p.Name)).DistinctBy(p => (p.Name.ToLowerInvariant(), ProtocolLabel(p.Protocol))))
                    {
                        if (SrvKey(port, baseKey) is { } key)
                        {
                            Add(key, DnsRecord.Srv(0, 100, (ushort)port.Port, baseWire, _ttl, addresses));
                        }
                    }

                    AddEndpoints(service, baseKey, headless: false);
                    break;
                case DnsServiceKind.Headless:
                    AddEndpoints(service, baseKey, headless: true);
                    break;
            }
        }

        private void AddEndpoints(DnsService service, string baseKey, bool headless)
        {
            // Endpoint name → its address records, in the order first seen.
            var names = new Dictionary<string, List<DnsRecord>>(StringComparer.Ordinal);
            var seen = new HashSet<(string, IPAddress)>();
            var baseAddresses = new HashSet<IPAddress>();
            // (port name, protocol label) → (endpoint name, port number).
            var srv = new Dictionary<(string, string), List<(string Name, int Port)>>();
            foreach (var endpoint in service.Endpoints)
            {
                if (!endpoint.Ready && !service.PublishNotReadyAddresses)
                {
                    continue;
                }

                foreach (var ip in endpoint.Addresses)
                {
                    var name = string.IsNullOrEmpty(endpoint.Hostname) ? DashedName(ip) : endpoint.Hostname.ToLowerInvariant();
                    var key = name + "." + baseKey;
                    if (!seen.Add((name, ip)) || Wire(key) is not { } wire)
                    {
                        continue;
                    }

                    var record = DnsRecord.Address(ip, _ttl);
                    if (!names.TryGetValue(name, out var records))
                    {
                        names[name] = records = [];
                    }

                    records.Add(record);
                    Add(key, record);
                    AddReverse(ip, wire);
                    if (headless && baseAddresses.Add(ip))
                    {
                        Add(baseKey, record);
                    }

                    foreach (var port in endpoint.Ports.Where(p => !string.IsNullOrEmpty(p.Name)))
                    {
                        var set = (port.Name.ToLowerInvariant(), ProtocolLabel(port.Protocol));
                        if (!srv.TryGetValue(set, out var targets))
                        {
                            srv[set] = targets = [];
                        }

                        if (!targets.Contains((name, port.Port)))
                        {
                            targets.Add((name, port.Port));
                        }
                    }
                }
            }

            if (!headless)
            {
                return;
            }

            foreach (var ((portName, protocol), targets) in srv)
            {
                var key = $"_{portName}.{protocol}.{baseKey}";
                if (Wire(key) is null)
                {
                    continue;
                }

                // RFC 2782: equal priority, the weight shared out evenly.
                var weight = (ushort)Math.Max(1, 100 / targets.Count);
                foreach (var (name, port) in targets)
                {
                    Add(key, DnsRecord.Srv(0, weight, (ushort)port, Wire(name + "." + baseKey)!, _ttl, names[name]));
                }
            }
        }

        private string? SrvKey(DnsPort port, string baseKey)
        {
            var key = $"_{port.Name.ToLowerInvariant()}.{ProtocolLabel(port.Protocol)}.{baseKey}";
            return Wire(key) is null ? null : key;
        }

        private static string ProtocolLabel(string protocol) => "_" + (string.IsNullOrEmpty(protocol) ? "tcp" : protocol.ToLowerInvariant());

        private void AddReverse(IPAddress ip, byte[] target)
        {
            var key = ReverseKey(ip);
            var records = _names.GetValueOrDefault(key);
            if (records is null || !records.Any(r => r.Target is { } existing && existing.AsSpan().SequenceEqual(target)))
            {
                Add(key, DnsRecord.Ptr(target, _ttl));
            }
        }

        /// <summary>The wire form of a key (one array per name, shared by every record naming it), or null when not a valid name.</summary>
        private byte[]? Wire(string key)
        {
            if (_wires.TryGetValue(key, out var wire))
            {
                return wire;
            }

            if (!DnsName.TryEncode(key, out wire, out _))
            {
                return null;
            }

            _wires[key] = wire;
            return wire;
        }

        private void Add(string key, DnsRecord record)
        {
            if (!_names.TryGetValue(key, out var records))
            {
                _names[key] = records = [];
            }

            records.Add(record);
        }

        public DnsServiceRecords Finish() => new([.. _names.Select(n => KeyValuePair.Create(n.Key, n.Value.ToArray()))]);
    }
}
