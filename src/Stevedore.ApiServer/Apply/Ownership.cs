using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Apply;

/// <summary>Bookkeeping shared by apply and ordinary writes.</summary>
internal static class Ownership
{
    private static readonly Lazy<ResourceCatalog> BuiltIn = new(ResourceCatalog.CreateBuiltIn);

    /// <summary>The built-in model of an object from its apiVersion and kind; null for CRDs and unknown kinds.</summary>
    public static Type? BuiltInModelOf(JsonObject obj)
    {
        if (Text(obj, "apiVersion") is not { } apiVersion || Text(obj, "kind") is not { } kind)
        {
            return null;
        }

        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return BuiltIn.Value.FindByKind(group, version, kind)?.ModelType;
    }

    /// <summary>Gives a manager a fresh time when what it owns changed, as upstream does.</summary>
    public static void Stamp(IEnumerable<ManagerEntry> entries, Dictionary<string, FieldSet> previous, DateTimeOffset now)
    {
        foreach (var entry in entries)
        {
            if (!previous.TryGetValue(entry.Identity, out var before) || !before.SetEquals(entry.Fields) || entry.Time is null)
            {
                entry.Time = now;
            }
        }
    }

    public static Dictionary<string, FieldSet> Snapshot(IEnumerable<ManagerEntry> entries)
    {
        var snapshot = new Dictionary<string, FieldSet>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            snapshot.TryAdd(entry.Identity, entry.Fields);
        }

        return snapshot;
    }

    public static string? Text(JsonObject? obj, string member) =>
        obj?[member] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
