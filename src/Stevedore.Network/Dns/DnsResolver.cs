using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Stevedore.Network.Dns.Wire;

namespace Stevedore.Network.Dns;

/// <summary>Whether an answer is final, or may be replaced by the upstream's when forwarding is configured.</summary>
public enum DnsResolution
{
    /// <summary>Send the answer as it is.</summary>
    Final,

    /// <summary>Not ours to answer (outside the cluster zone, or an unknown reverse name): forward if an upstream is configured, else send the answer (REFUSED / NXDOMAIN).</summary>
    Forwardable,
}

/// <summary>
/// Answers one question from a <see cref="DnsSnapshot"/>: the names of the cluster zone and the
/// reverse names of cluster IPs and endpoints, pod names (<c>1-2-3-4.ns.pod.zone</c>, answered for
/// any well-formed address as CoreDNS's "pods insecure" does), NXDOMAIN with the zone's SOA for
/// unknown names, NODATA for names that exist without the asked type (so a resolver asking A and
/// AAAA together still gets its A). Pure and thread-safe.
/// </summary>
public sealed class DnsResolver
{
    /// <summary>How many CNAMEs inside the zone are followed before the answer stops (loops end here too).</summary>
    private const int MaxChainLength = 8;

    private readonly string _zone;
    private readonly string _podZone;

    public DnsResolver(DnsZoneOptions zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        _zone = zone.Key;
        _podZone = "pod." + _zone;
    }

    /// <summary>Fills <paramref name="answer"/> for <paramref name="query"/>; <paramref name="snapshot"/> null means the records are not loaded yet.</summary>
    public DnsResolution Resolve(DnsSnapshot? snapshot, DnsQuery query, DnsAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(answer);
        answer.Reset();
        var key = query.Key;
        var inZone = DnsName.IsAtOrBelow(key, _zone);
        var reverse = !inZone && (DnsName.IsAtOrBelow(key, DnsSnapshot.ReverseV4Zone) || DnsName.IsAtOrBelow(key, DnsSnapshot.ReverseV6Zone));
        if (query.Class is not (DnsClass.IN or DnsClass.ANY) || query.Type is 251 or 252 or DnsType.OPT)
        {
            // Other classes (CHAOS "version.bind"), zone transfers and meta types are not served.
            answer.Code = DnsResponseCode.Refused;
            return inZone || reverse ? DnsResolution.Final : DnsResolution.Forwardable;
        }

        if (!inZone && !reverse)
        {
            answer.Code = DnsResponseCode.Refused;
            return DnsResolution.Forwardable;
        }

        if (snapshot is null)
        {
            // Not loaded yet: a failure the client retries, never a negative answer it would cache.
            answer.Code = DnsResponseCode.ServerFailure;
            return inZone ? DnsResolution.Final : DnsResolution.Forwardable;
        }

        answer.Authoritative = true;
        var apex = inZone ? snapshot.ZoneApex : DnsName.IsAtOrBelow(key, DnsSnapshot.ReverseV4Zone) ? snapshot.ReverseV4Apex : snapshot.ReverseV6Apex;
        if (snapshot.TryGet(key, out var records))
        {
            AnswerFrom(snapshot, records, query.Type, answer, apex);
            return DnsResolution.Final;
        }

        if (inZone && TryPodAddress(key, out var address, out var exists))
        {
            var type = address?.AddressFamily == AddressFamily.InterNetworkV6 ? DnsType.AAAA : DnsType.A;
            if (address is not null && (query.Type == type || query.Type == DnsType.ANY))
            {
                answer.Add(DnsRecord.Address(address, snapshot.Zone.Ttl));
            }
            else if (exists)
            {
                Negative(snapshot, answer, DnsResponseCode.NoError, apex);
            }
            else
            {
                Negative(snapshot, answer, DnsResponseCode.NameError, apex);
            }

            return DnsResolution.Final;
        }

        Negative(snapshot, answer, DnsResponseCode.NameError, apex);
        return inZone ? DnsResolution.Final : DnsResolution.Forwardable;
    }

    private static void AnswerFrom(DnsSnapshot snapshot, DnsRecord[] records, ushort type, DnsAnswer answer, byte[] apex)
    {
        if (type != DnsType.CNAME && type != DnsType.ANY && Array.Find(records, r => r.Type == DnsType.CNAME) is { } alias)
        {
            FollowChain(snapshot, alias, type, answer);
            return;
        }

        foreach (var record in records)
        {
            if (record.Type == type || type == DnsType.ANY)
            {
                answer.Add(record);
            }
        }

        if (answer.Records.Count == 0)
        {
            Negative(snapshot, answer, DnsResponseCode.NoError, apex);
        }
    }

    /// <summary>The CNAME, then what its target holds when the target is in the store (an ExternalName naming another Service).</summary>
    private static void FollowChain(DnsSnapshot snapshot, DnsRecord alias, ushort type, DnsAnswer answer)
    {
        answer.Add(alias);
        var current = alias;
        for (var step = 0; step < MaxChainLength && current.TargetKey is { } target && snapshot.TryGet(target, out var next); step++)
        {
            var owner = current.Target;
            current = null!;
            foreach (var record in next)
            {
                if (record.Type == DnsType.CNAME)
                {
                    answer.Add(record, owner);
                    current = record;
                    break;
                }

                if (record.Type == type)
                {
                    answer.Add(record, owner);
                }
            }

            if (current is null)
            {
                return;
            }
        }
    }

    /// <summary>NXDOMAIN or NODATA, with the cluster zone's SOA owned by the apex of the zone the name is in (RFC 2308).</summary>
    private static void Negative(DnsSnapshot snapshot, DnsAnswer answer, DnsResponseCode code, byte[] apex)
    {
        answer.Code = code;
        answer.Soa = snapshot.ZoneSoa;
        answer.SoaOwner = apex;
    }

    /// <summary>
    /// Reads <c>&lt;address&gt;.&lt;ns&gt;.pod.&lt;zone&gt;</c>. True when the name is under the pod zone:
    /// <paramref name="address"/> is set for a well-formed address label (dashes for dots, or for
    /// colons in IPv6), <paramref name="exists"/> tells whether the name exists (a namespace level
    /// name exists without records).
    /// </summary>
    private bool TryPodAddress(ReadOnlySpan<char> key, out IPAddress? address, out bool exists)
    {
        address = null;
        exists = false;
        if (!DnsName.IsAtOrBelow(key, _podZone))
        {
            return false;
        }

        var below = key.Length == _podZone.Length ? [] : key[..(key.Length - _podZone.Length - 1)];
        var dot = below.IndexOf('.');
        if (dot < 0)
        {
            // "<ns>.pod.<zone>": exists, holds nothing.
            exists = true;
            return true;
        }

        var label = below[..dot];
        var rest = below[(dot + 1)..];
        if (rest.Contains('.') || !TryParseDashed(label, out address))
        {
            return true;
        }

        exists = true;
        return true;
    }

    private static bool TryParseDashed(ReadOnlySpan<char> label, out IPAddress? address)
    {
        address = TryParseDashedV4(label);
        if (address is not null)
        {
            return true;
        }

        Span<char> text = stackalloc char[label.Length];
        label.CopyTo(text);
        text.Replace('-', ':');
        if (label.Contains(':') || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>Exactly four decimal parts (IPAddress.TryParse would also take shorthands such as "1.2.3").</summary>
    private static IPAddress? TryParseDashedV4(ReadOnlySpan<char> label)
    {
        Span<Range> parts = stackalloc Range[5];
        if (label.Split(parts, '-') != 4)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = label[parts[i]];
            if (part.Length is 0 or > 3 || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }

        return new IPAddress(bytes);
    }
}
