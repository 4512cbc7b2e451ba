using System.Text.Json.Nodes;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Watch;

/// <summary>
/// One object as the watch cache keeps it: serialized once (with its resourceVersion set),
/// plus the labels and selectable fields needed to filter lists and watches without parsing.
/// </summary>
public sealed class CachedObject
{
    private CachedObject(string key, string? ns, string name, long revision, byte[] json, IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> fields)
    {
        Key = key;
        Namespace = ns;
        Name = name;
        Revision = revision;
        Json = json;
        Labels = labels;
        Fields = fields;
    }

    public string Key { get; }
    public string? Namespace { get; }
    public string Name { get; }
    public long Revision { get; }
    public byte[] Json { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>A fresh, mutable copy of the object.</summary>
    public JsonObject ToJsonObject() => Serialization.Json.ParseObject(Json);

    /// <summary>Builds a cache entry from stored bytes, stamping <paramref name="revision"/> as resourceVersion.</summary>
    public static CachedObject FromStored(string key, ReadOnlySpan<byte> stored, long revision, string kind)
    {
        var obj = Serialization.Json.ParseObject(stored);
        return FromObject(key, obj, revision, kind);
    }

    public static CachedObject FromObject(string key, JsonObject obj, long revision, string kind)
    {
        var meta = Serialization.Json.Metadata(obj);
        meta["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var labels = Serialization.Json.StringMap(meta["labels"]);
        var fields = Selectors.SelectableFields.Extract(kind, obj);
        return new CachedObject(key, Serialization.Json.GetString(meta, "namespace"), Serialization.Json.GetString(meta, "name") ?? "", revision,
            Serialization.Json.Serialize(obj), labels, fields);
    }
}
