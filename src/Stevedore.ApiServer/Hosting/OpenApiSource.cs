using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Hosting;

/// <summary>The OpenAPI documents generated from the catalog's typed models.</summary>
public static class OpenApiSource
{
    public static IOpenApiSource? TryCreate(ResourceCatalog catalog)
    {
        _ = catalog;
        return null;
    }
}
