using System.Text.Json.Nodes;
using Stevedore.ApiServer.Apply;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Patch;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Patch, apply and managedFields bookkeeping for the built-in kinds (see Patch/ and Apply/).</summary>
public sealed class BuiltInPatchEngine : IPatchEngine
{
    public JsonObject Patch(string contentType, JsonObject current, JsonNode patch, ApiResource resource)
    {
        try
        {
            var result = contentType switch
            {
                "application/json-patch+json" => JsonPatch.Apply(current, patch),
                "application/merge-patch+json" => MergePatch.Apply(current, patch),
                "application/strategic-merge-patch+json" => StrategicMergePatch.Apply(current, patch, resource.ModelType),
                _ => throw ApiException.UnsupportedMediaType(contentType),
            };
            return result as JsonObject ?? throw new ApiException(422, "Invalid", "the patch did not produce a JSON object");
        }
        catch (PatchException ex)
        {
            throw ex.Failure == PatchFailure.BadRequest ? ApiException.BadRequest(ex.Message) : new ApiException(422, "Invalid", ex.Message);
        }
    }

    public ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, ApiResource resource, DateTimeOffset now)
    {
        try
        {
            var outcome = ServerSideApply.Apply(live, applied, manager, force, resource.ModelType, now);
            return outcome.Succeeded
                ? new ApplyResult(outcome.Object, [], null)
                : new ApplyResult(null, [.. outcome.Conflicts.Select(c => $"{c.CauseMessage}: {c.Path}")], outcome.ConflictMessage);
        }
        catch (PatchException ex)
        {
            throw ex.Failure == PatchFailure.BadRequest ? ApiException.BadRequest(ex.Message) : new ApiException(422, "Invalid", ex.Message);
        }
    }

    public void TrackWrite(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string? subresource, ApiResource resource, DateTimeOffset now)
    {
        // Apply records its own ownership; everything else is an Update by its field manager.
        if (operation == "Apply")
        {
            return;
        }

        ManagedFieldsTracker.UpdateForWrite(oldObj, newObj, manager, operation, subresource, resource.ModelType, now);
    }
}
