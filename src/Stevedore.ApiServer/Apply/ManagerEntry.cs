using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// One entry of <c>metadata.managedFields</c>: a manager, the operation it used, and the
/// fields it owns.
/// </summary>
internal sealed class ManagerEntry
{
    public const string ApplyOperation = "Apply";
    public const string UpdateOperation = "Update";

    public required string Manager { get; init; }

    public required string Operation { get; init; }

    public string? ApiVersion { get; set; }

    public string? Subresource { get; init; }

    public DateTimeOffset? Time
    {
        get;
        set
        {
            Changed |= field != value;
            field = value;
        }
    }

    /// <summary>What the manager owns. An entry read with <see cref="ReadStored"/> parses its FieldsV1 on first use.</summary>
    public FieldSet Fields
    {
        get => _fields ??= Source?["fieldsV1"] is JsonObject fields ? FieldSet.FromFieldsV1(fields) : new FieldSet();
        set
        {
            _fields = value;
            Changed = true;
        }
    }

    /// <summary>Whether anything was set since it was read with <see cref="ReadStored"/> (always true otherwise).</summary>
    public bool Changed { get; private set; } = true;

    /// <summary>True when the manager owns nothing (such entries are not written).</summary>
    public bool IsEmpty => _fields?.IsEmpty ?? Source?["fieldsV1"] is not JsonObject { Count: > 0 };

    // The stored JSON an entry read with ReadStored came from; written back as it is while unchanged.
    private JsonObject? Source { get; init; }

    private FieldSet? _fields;

    /// <summary>Entries with the same identity are one manager. Like upstream, appliers are
    /// one manager whatever apiVersion they used; updaters are split by apiVersion.</summary>
    public string Identity => string.Join('\u0000', Manager, Operation, Subresource ?? "", Operation == ApplyOperation ? "" : ApiVersion ?? "");

    /// <summary>How conflicts name the manager, as upstream: <c>"kubectl" using apps/v1</c>.</summary>
    public string Display
    {
        get
        {
            var text = $"\"{Manager}\"";
            if (!string.IsNullOrEmpty(Subresource))
            {
                text += $" with subresource \"{Subresource}\"";
            }

            return Operation == UpdateOperation ? $"{text} using {ApiVersion}" : text;
        }
    }

    public ManagerEntry With(FieldSet fields) => new()
    {
        Manager = Manager, Operation = Operation, ApiVersion = ApiVersion, Subresource = Subresource, Time = Time, Fields = fields,
    };

    /// <summary>The FieldsV1 entries of <paramref name="obj"/>'s metadata.managedFields (other field types are dropped).</summary>
    public static List<ManagerEntry> Read(JsonObject? obj)
    {
        var entries = ReadStored(obj);
        foreach (var entry in entries)
        {
            _ = entry.Fields;
            entry.Changed = true;
        }

        return entries;
    }

    /// <summary>
    /// Like <see cref="Read"/>, for managedFields this code wrote itself (the stored object's):
    /// their paths are in canonical spelling, so an entry parses its FieldsV1 only when asked,
    /// <see cref="OwnsAny"/> looks paths up in the stored JSON, and an entry nobody changes is
    /// written back as it was.
    /// </summary>
    public static List<ManagerEntry> ReadStored(JsonObject? obj)
    {
        var entries = new List<ManagerEntry>();
        if (obj?["metadata"]?["managedFields"] is not JsonArray list)
        {
            return entries;
        }

        foreach (var item in list.OfType<JsonObject>())
        {
            if (Text(item, "fieldsType") is not (null or "FieldsV1") || Text(item, "manager") is not { } manager)
            {
                continue;
            }

            var entry = new ManagerEntry
            {
                Manager = manager,
                Operation = Text(item, "operation") ?? UpdateOperation,
                ApiVersion = Text(item, "apiVersion"),
                Subresource = Text(item, "subresource") is { Length: > 0 } sub ? sub : null,
                Time = Text(item, "time") is { } time && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null,
                Source = item,
            };
            entry.Changed = false;
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Whether the manager owns any of <paramref name="paths"/> (without parsing a stored entry).</summary>
    public bool OwnsAny(FieldSet paths)
    {
        if (_fields is not null || Source?["fieldsV1"] is not JsonObject stored)
        {
            return paths.Any(Fields.Contains);
        }

        return paths.Any(path => FieldSet.TreeContains(stored, path));
    }

    /// <summary>Writes <paramref name="entries"/> into metadata.managedFields in upstream order
    /// (Apply before Update, then by time, manager, apiVersion, subresource); none removes the field.</summary>
    public static void Write(JsonObject obj, IEnumerable<ManagerEntry> entries)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            obj["metadata"] = metadata = [];
        }

        var sorted = entries
            .Where(e => !e.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => e.Time?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Subresource, StringComparer.Ordinal)
            .ToList();
        if (sorted.Count == 0)
        {
            metadata.Remove("managedFields");
            return;
        }

        metadata["managedFields"] = new JsonArray([.. sorted.Select(e => e.Changed || e.Source is null ? (JsonNode)e.ToJson() : e.Source.DeepClone())]);
    }

    private JsonObject ToJson()
    {
        // Written as text and parsed, not built node by node: the entry is stored as it is, and a
        // parsed object that nobody reads into is written out again by copying its text.
        var writer = Serialization.Json.RentWriter();
        writer.WriteStartObject();
        writer.WriteString("manager", Manager);
        writer.WriteString("operation", Operation);
        if (ApiVersion is not null)
        {
            writer.WriteString("apiVersion", ApiVersion);
        }

        if (Time is { } time)
        {
            writer.WriteString("time", time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        writer.WriteString("fieldsType", "FieldsV1");
        writer.WritePropertyName("fieldsV1");
        Fields.WriteFieldsV1(writer);
        if (Subresource is not null)
        {
            writer.WriteString("subresource", Subresource);
        }

        writer.WriteEndObject();
        return Serialization.Json.ReturnWriterAsObject(writer);
    }

    private static string? Text(JsonObject obj, string member) =>
        obj[member] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
