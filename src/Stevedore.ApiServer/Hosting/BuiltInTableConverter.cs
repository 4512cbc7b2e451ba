using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Printing;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Table output with each kind's upstream printer columns (see Printing/).</summary>
public sealed class BuiltInTableConverter : ITableConverter
{
    public void CheckIncludeObject(string? includeObject)
    {
        if (!IncludeObjectPolicyParser.TryParse(includeObject, out _, out var error))
        {
            throw ApiException.BadRequest(error ?? "invalid includeObject");
        }
    }

    public JsonObject ToTable(ApiResource resource, IReadOnlyList<JsonObject> objects, string? resourceVersion, string? continueToken, long? remainingItemCount, string includeObject, DateTimeOffset now) =>
        TableConverter.ToTable(resource, objects, resourceVersion, continueToken, remainingItemCount, Parse(includeObject), now);

    public JsonObject ToWatchTable(ApiResource resource, JsonObject obj, string includeObject, DateTimeOffset now, bool withHeaders) =>
        TableConverter.ToTable(resource, obj, Parse(includeObject), now, noHeaders: !withHeaders);

    private static IncludeObjectPolicy Parse(string includeObject) =>
        IncludeObjectPolicyParser.TryParse(includeObject, out var policy, out _) ? policy : IncludeObjectPolicy.Metadata;
}
