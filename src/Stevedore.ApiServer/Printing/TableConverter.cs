using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Printing;

/// <summary>
/// Turns API objects into the <c>meta.k8s.io/v1 Table</c> kubectl asks for with
/// <c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>. Pure: no I/O and no clock,
/// the caller passes <c>now</c> so ages are reproducible.
/// </summary>
public static class TableConverter
{
    /// <summary>
    /// A Table for a list response: one row per object, in the given order. Every column is
    /// filled (the server prints wide; kubectl hides priority 1 columns unless <c>-o wide</c>).
    /// </summary>
    /// <param name="resource">The resource listed; selects the printer (unknown and virtual kinds get NAME / CREATED AT).</param>
    /// <param name="objects">The objects, as stored (full JSON with apiVersion, kind, metadata).</param>
    /// <param name="listResourceVersion">The list's resourceVersion, copied to the Table's metadata.</param>
    /// <param name="continueToken">The list's continue token, if the list is paged.</param>
    /// <param name="remainingItemCount">The list's remainingItemCount, if known.</param>
    /// <param name="include">What each row's <c>object</c> carries (the <c>includeObject</c> query parameter).</param>
    /// <param name="now">The time ages are measured against.</param>
    public static JsonObject ToTable(ApiResource resource, IReadOnlyList<JsonObject> objects, string? listResourceVersion,
        string? continueToken, long? remainingItemCount, IncludeObjectPolicy include, DateTimeOffset now) =>
        ToTable(resource, objects, listResourceVersion, continueToken, remainingItemCount, include, now, noHeaders: false);

    /// <summary>
    /// As <see cref="ToTable(ApiResource, IReadOnlyList{JsonObject}, string?, string?, long?, IncludeObjectPolicy, DateTimeOffset)"/>,
    /// honouring the <c>noHeaders</c> table option (column definitions left empty).
    /// </summary>
    public static JsonObject ToTable(ApiResource resource, IReadOnlyList<JsonObject> objects, string? listResourceVersion,
        string? continueToken, long? remainingItemCount, IncludeObjectPolicy include, DateTimeOffset now, bool noHeaders)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(objects);
        var printer = PrinterRegistry.For(resource);

        var metadata = new JsonObject();
        if (!string.IsNullOrEmpty(listResourceVersion))
        {
            metadata["resourceVersion"] = listResourceVersion;
        }
        if (!string.IsNullOrEmpty(continueToken))
        {
            metadata["continue"] = continueToken;
        }
        if (remainingItemCount is { } remaining)
        {
            metadata["remainingItemCount"] = remaining;
        }

        var columns = new JsonArray();
        if (!noHeaders)
        {
            foreach (var column in printer.Columns)
            {
                columns.Add(column.ToJson());
            }
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            rows.Add(Row(printer, resource, obj, include, now));
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    /// <summary>A Table for a single-object GET: one row, and the object's resourceVersion as the Table's.</summary>
    public static JsonObject ToTable(ApiResource resource, JsonObject obj, IncludeObjectPolicy include, DateTimeOffset now) =>
        ToTable(resource, obj, include, now, noHeaders: false);

    /// <summary>
    /// A one-row Table for a single object, as each watch event carries: upstream sends column
    /// definitions with the first event only and <paramref name="noHeaders"/> = true afterwards.
    /// </summary>
    public static JsonObject ToTable(ApiResource resource, JsonObject obj, IncludeObjectPolicy include, DateTimeOffset now, bool noHeaders)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return ToTable(resource, [obj], obj.Str("metadata", "resourceVersion"), null, null, include, now, noHeaders);
    }

    /// <summary>The column definitions served for a resource (for discovery-like uses and tests).</summary>
    public static IReadOnlyList<TableColumn> ColumnsFor(ApiResource resource) => PrinterRegistry.For(resource).Columns;

    private static JsonObject Row(KindPrinter printer, ApiResource resource, JsonObject obj, IncludeObjectPolicy include, DateTimeOffset now)
    {
        var cells = new JsonArray();
        foreach (var cell in printer.Cells(obj, now))
        {
            cells.Add(cell);
        }
        var row = new JsonObject { ["cells"] = cells };
        if (printer.Conditions?.Invoke(obj) is { } conditions)
        {
            row["conditions"] = conditions;
        }
        row["object"] = include switch
        {
            IncludeObjectPolicy.None => null,
            IncludeObjectPolicy.Object => FullObject(resource, obj),
            _ => PartialObjectMetadata(obj),
        };
        return row;
    }

    private static JsonObject PartialObjectMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone() ?? new JsonObject(),
    };

    private static JsonObject FullObject(ApiResource resource, JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        // Rows of a list carry whole objects, which must say what they are even if items were stored bare.
        if (copy["apiVersion"] is null)
        {
            copy.Insert(0, "apiVersion", resource.GroupVersion);
        }
        if (copy["kind"] is null)
        {
            copy.Insert(0, "kind", resource.Kind);
        }
        return copy;
    }
}
