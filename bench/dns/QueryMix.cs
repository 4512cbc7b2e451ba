using System.Net;
using Stevedore.Network.Dns;
using Stevedore.Network.Dns.Wire;

namespace DnsBench;

/// <summary>A question of the mix and the answer code it should get.</summary>
public sealed record MixQuery(string Name, ushort Type, DnsResponseCode Expected);

/// <summary>
/// What pods ask, in proportions a cluster sees: mostly Service A lookups, some headless and
/// StatefulSet-identity lookups, SRV, PTR, AAAA without records (NODATA), and NXDOMAIN from the
/// search list's first misses. The same pool feeds the C# load generator and dnsperf.
/// </summary>
public static class QueryMix
{
    public static IReadOnlyList<MixQuery> Build(BenchSettings settings, int count = 20_000)
    {
        var random = new Random(53);
        var queries = new List<MixQuery>(count);
        string Fqdn(int i) => $"svc-{i}.{ClusterLoader.Namespace}.svc.cluster.local";
        int Pick(bool headless)
        {
            while (true)
            {
                var i = random.Next(settings.Services);
                if (ClusterLoader.IsHeadless(settings, i) == headless)
                {
                    return i;
                }
            }
        }

        for (var n = 0; n < count; n++)
        {
            var slot = random.Next(20);
            queries.Add(slot switch
            {
                < 9 => new MixQuery(Fqdn(Pick(false)), DnsType.A, DnsResponseCode.NoError),
                < 11 => new MixQuery(Fqdn(Pick(true)), DnsType.A, DnsResponseCode.NoError),
                < 13 => new MixQuery($"web-{random.Next(settings.EndpointsPerService)}.{Fqdn(Pick(true))}", DnsType.A, DnsResponseCode.NoError),
                < 15 => new MixQuery("_http._tcp." + Fqdn(random.Next(settings.Services)), DnsType.SRV, DnsResponseCode.NoError),
                < 17 => new MixQuery($"svc-{random.Next(settings.Services)}.{ClusterLoader.Namespace}.{ClusterLoader.Namespace}.svc.cluster.local", DnsType.A, DnsResponseCode.NameError),
                < 18 => new MixQuery(Fqdn(Pick(false)), DnsType.AAAA, DnsResponseCode.NoError),
                _ => new MixQuery(DnsSnapshotBuilder.ReverseKey(IPAddress.Parse(ClusterLoader.EndpointAddress(random.Next(settings.Services), random.Next(settings.EndpointsPerService)))), DnsType.PTR, DnsResponseCode.NoError),
            });
        }

        return queries;
    }

    /// <summary>dnsperf's input: one "name TYPE" line per query.</summary>
    public static void WriteDnsperfFile(IReadOnlyList<MixQuery> queries, string path) =>
        File.WriteAllLines(path, queries.Select(q => $"{q.Name} {DnsType.Name(q.Type)}"));
}
