using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Registry;

public sealed partial class ResourceRegistry
{
    /// <summary>
    /// Read-modify-write of the stored object alone, as upstream's REST handlers that call the
    /// storage's GuaranteedUpdate directly (pods/binding): no strategy, defaulting, admission,
    /// validation, managed fields or generation, and no resourceVersion precondition; a conflicting
    /// write in between is retried on the newer object. <paramref name="mutate"/> changes the object
    /// in place or throws to refuse.
    /// </summary>
    /// <returns>The object as stored (as it would be, on dry run).</returns>
    public async Task<JsonObject> GuaranteedUpdateAsync(ApiResource resource, string? ns, string name, Action<JsonObject> mutate, bool dryRun, CancellationToken cancellationToken)
    {
        var key = ObjectKeys.For(resource, ns, name);
        for (var attempt = 0; ; attempt++)
        {
            var kv = await Store.GetAsync(key, cancellationToken)
                ?? throw ApiException.NotFound(resource.Group, resource.Plural, name);
            var obj = Decode(kv);
            mutate(obj);
            if (dryRun)
            {
                return obj;
            }

            var result = await Store.UpdateAsync(kv.Key, Encode(obj), kv.ModRevision, kv.LeaseId, cancellationToken);
            if (result.Succeeded)
            {
                SetResourceVersion(obj, result.Revision);
                return obj;
            }

            if (attempt >= MaxUpdateAttempts)
            {
                throw ApiException.StaleUpdate(resource.Group, resource.Plural, name);
            }
        }
    }
}
