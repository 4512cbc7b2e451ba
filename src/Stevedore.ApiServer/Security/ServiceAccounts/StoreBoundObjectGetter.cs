using System.Globalization;
using System.Text.Json;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>
/// Reads bound objects straight from the store (a consistent read), so a deleted pod's token stops
/// working at once rather than when a cache catches up.
/// </summary>
public sealed class StoreBoundObjectGetter(IStore store) : IBoundObjectGetter
{
    public async ValueTask<ObjectState?> GetAsync(string resource, string? ns, string name, CancellationToken cancellationToken)
    {
        // The core group's storage keys, as Registry/ObjectKeys lays them out.
        var key = resource == "nodes" ? $"/registry/nodes/{name}" : $"/registry/{resource}/{ns}/{name}";
        var kv = await store.GetAsync(key, cancellationToken);
        if (kv is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(kv.Value);
        if (!document.RootElement.TryGetProperty("metadata", out var meta))
        {
            return null;
        }

        var uid = meta.TryGetProperty("uid", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : "";
        DateTimeOffset? deleted = meta.TryGetProperty("deletionTimestamp", out var d) && d.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(d.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        return new ObjectState(uid, deleted);
    }
}
