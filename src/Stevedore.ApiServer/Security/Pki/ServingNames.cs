using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Stevedore.ApiServer.Security.Pki;

/// <summary>
/// The subject alternative names the serving certificate must carry so that every way a client
/// may reach the API server verifies: loopback, the host's own names and addresses, the in-cluster
/// <c>kubernetes</c> Service names and its ClusterIP, plus whatever the operator adds.
/// </summary>
public sealed record ServingNames(IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses)
{
    /// <summary>The ClusterIP of the <c>default/kubernetes</c> Service (first address of 10.43.0.0/16).</summary>
    public static readonly IPAddress KubernetesServiceIp = IPAddress.Parse("10.43.0.1");

    /// <summary>The DNS names under which pods reach the API server through its Service.</summary>
    public static readonly IReadOnlyList<string> KubernetesServiceNames =
        ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"];

    /// <summary>
    /// Builds the required names from explicit inputs (pure; the machine-dependent parts are
    /// parameters). Each extra is an IP address if it parses as one, otherwise a DNS name.
    /// </summary>
    public static ServingNames Compute(string hostName, IEnumerable<IPAddress> hostAddresses, IEnumerable<string> extraSans)
    {
        var dns = new List<string> { "localhost" };
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback, KubernetesServiceIp };
        if (!string.IsNullOrWhiteSpace(hostName))
        {
            dns.Add(hostName.Trim().ToLowerInvariant());
        }

        dns.AddRange(KubernetesServiceNames);
        addresses.AddRange(hostAddresses);
        foreach (var extra in extraSans)
        {
            var trimmed = extra.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            if (IPAddress.TryParse(trimmed, out var ip))
            {
                addresses.Add(ip);
            }
            else
            {
                dns.Add(trimmed.ToLowerInvariant());
            }
        }

        return new ServingNames(
            dns.Distinct(StringComparer.OrdinalIgnoreCase).ToList(),
            addresses.Select(WithoutScope).Distinct().ToList());
    }

    /// <summary>The required names for this machine: its host name and every non-loopback interface address.</summary>
    public static ServingNames ForThisMachine(IEnumerable<string> extraSans) =>
        Compute(Dns.GetHostName(), MachineAddresses(), extraSans);

    /// <summary>
    /// Non-loopback unicast addresses of the machine's interfaces. IPv6 link-local addresses are
    /// left out: they need a zone to be usable, and a certificate cannot carry one.
    /// </summary>
    public static IEnumerable<IPAddress> MachineAddresses()
    {
        var result = new List<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal ||
                    address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
                {
                    continue;
                }

                result.Add(address);
            }
        }

        return result;
    }

    /// <summary>True if every name and address of this set appears in <paramref name="present"/>.</summary>
    public bool IsCoveredBy(ServingNames present) =>
        DnsNames.All(n => present.DnsNames.Contains(n, StringComparer.OrdinalIgnoreCase)) &&
        Addresses.All(present.Addresses.Contains);

    private static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
}
