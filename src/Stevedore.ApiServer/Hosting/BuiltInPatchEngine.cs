using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Patch, apply and managedFields bookkeeping for the built-in kinds.</summary>
public sealed class BuiltInPatchEngine : IPatchEngine
{
    public JsonObject Patch(string contentType, JsonObject current, JsonNode patch, ApiResource resource) =>
        throw ApiException.UnsupportedMediaType(contentType);

    public ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, ApiResource resource, DateTimeOffset now) =>
        throw ApiException.UnsupportedMediaType("application/apply-patch+yaml");

    public void TrackWrite(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string? subresource, ApiResource resource, DateTimeOffset now)
    {
    }
}
