using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Objects every cluster has from its first start.</summary>
public static class Bootstrap
{
    public static readonly string[] DefaultNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    public static async Task EnsureDefaultNamespacesAsync(ResourceRegistry registry, ResourceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var namespaces = catalog.Find("", "v1", "namespaces")!;
        foreach (var name in DefaultNamespaces)
        {
            try
            {
                var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } };
                await registry.CreateAsync(namespaces, null, ns, new WriteOptions("stevedore-server", false, time.GetUtcNow()), cancellationToken);
            }
            catch (ApiException ex) when (ex.Code == 409)
            {
                // Already there from an earlier start.
            }
        }
    }
}
