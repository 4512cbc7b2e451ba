using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// The <c>kube-system/kube-dns</c> Service: the cluster DNS address (<c>--cluster-dns</c>, by default
/// the service range's base + 10) with ports <c>dns</c> 53/UDP and <c>dns-tcp</c> 53/TCP, labelled
/// <c>k8s-app: kube-dns</c> as every distribution labels it. It has no selector and no endpoints:
/// every node agent answers on that address itself (node-local), so the Service only reserves the
/// IP and shows users where DNS is. Created once when missing; a user's later changes are kept.
/// </summary>
public static partial class ClusterDnsService
{
    public const string Namespace = "kube-system";
    public const string Name = "kube-dns";

    /// <summary>The default cluster DNS address of a service range: its base + 10 (10.43.0.10 for 10.43.0.0/16).</summary>
    public static IPAddress DefaultAddress(ServiceIPRange range)
    {
        ArgumentNullException.ThrowIfNull(range);
        return range.At(9);
    }

    /// <summary>The Service as it is created.</summary>
    public static JsonObject Manifest(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = Name,
                ["namespace"] = Namespace,
                ["labels"] = new JsonObject { ["k8s-app"] = "kube-dns" },
            },
            ["spec"] = new JsonObject
            {
                ["type"] = "ClusterIP",
                ["clusterIP"] = address.ToString(),
                ["clusterIPs"] = new JsonArray(address.ToString()),
                ["ports"] = new JsonArray(
                    new JsonObject { ["name"] = "dns", ["protocol"] = "UDP", ["port"] = 53, ["targetPort"] = 53 },
                    new JsonObject { ["name"] = "dns-tcp", ["protocol"] = "TCP", ["port"] = 53, ["targetPort"] = 53 }),
            },
        };
    }

    /// <summary>Creates the Service unless it exists. A refusal (the address outside the range or taken) is logged, not thrown: the server still starts.</summary>
    public static async Task EnsureAsync(ResourceRegistry registry, IPAddress address, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var services = registry.Catalog.Find("", "v1", "services")!;
        try
        {
            await registry.CreateAsync(services, Namespace, Manifest(address), new WriteOptions("kube-apiserver", false, time.GetUtcNow()), cancellationToken, "Update");
            LogCreated(logger, address);
        }
        catch (ApiException ex) when (ex.Code == 409)
        {
            // Already there from an earlier start, or created by another server.
        }
        catch (Exception ex) when (ex is ApiException or StoreUnavailableException)
        {
            LogNotCreated(logger, address, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the kube-system/kube-dns Service at {Address}")]
    private static partial void LogCreated(ILogger logger, IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create the kube-system/kube-dns Service at {Address}: {Reason}")]
    private static partial void LogNotCreated(ILogger logger, IPAddress address, string reason);
}
