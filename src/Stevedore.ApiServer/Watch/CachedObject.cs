using System.Globalization;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Selectors;

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

    /// <summary>
    /// Builds a cache entry from stored bytes, stamping <paramref name="revision"/> as resourceVersion.
    /// Every store event of every resource comes through here, so the usual case builds no tree: one
    /// read of the bytes finds the labels, the selectable fields and the end of <c>metadata</c>, and
    /// the resourceVersion is written in there (the same bytes as parsing, setting it and serializing,
    /// since the store holds what <see cref="Serialization.Json.Serialize"/> wrote).
    /// </summary>
    public static CachedObject FromStored(string key, ReadOnlySpan<byte> stored, long revision, string kind)
    {
        if (StoredObjectScan.TryScan(stored, kind) is { } scan)
        {
            var rv = "\"resourceVersion\":\"" + revision.ToString(CultureInfo.InvariantCulture) + "\"";
            var json = new byte[stored.Length + rv.Length + (scan.MetadataIsEmpty ? 0 : 1)];
            stored[..scan.MetadataEnd].CopyTo(json);
            var at = scan.MetadataEnd;
            if (!scan.MetadataIsEmpty)
            {
                json[at++] = (byte)',';
            }

            at += System.Text.Encoding.UTF8.GetBytes(rv, json.AsSpan(at));
            stored[scan.MetadataEnd..].CopyTo(json.AsSpan(at));
            return new CachedObject(key, scan.Namespace, scan.Name ?? "", revision, json, scan.Labels, scan.Fields);
        }

        // Anything unusual (no metadata object, a stored resourceVersion): the general way.
        return FromObject(key, Serialization.Json.ParseObject(stored), revision, kind);
    }

    public static CachedObject FromObject(string key, JsonObject obj, long revision, string kind)
    {
        var meta = Serialization.Json.Metadata(obj);
        meta["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        var labels = Serialization.Json.StringMap(meta["labels"]);
        var fields = SelectableFields.Extract(kind, obj);
        return new CachedObject(key, Serialization.Json.GetString(meta, "namespace"), Serialization.Json.GetString(meta, "name") ?? "", revision,
            Serialization.Json.Serialize(obj), labels, fields);
    }
}
