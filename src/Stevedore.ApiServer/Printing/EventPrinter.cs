using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>
/// Events: LAST SEEN TYPE REASON OBJECT MESSAGE | SUBOBJECT SOURCE FIRST SEEN COUNT NAME. The
/// events.k8s.io/v1 kind is printed with the same columns, reading its renamed fields
/// (regarding, note, deprecated*), because upstream serves both from one registry.
/// </summary>
internal static class EventPrinter
{
    private static readonly IReadOnlyList<TableColumn> EventColumns =
    [
        Columns.Text("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
        Columns.Text("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        Columns.Text("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        Columns.Text("Object", "The object that this event is about."),
        Columns.Text("Subobject", "The field of the object this event is about, such as spec.containers[2].", 1),
        Columns.Text("Source", "The component reporting this event.", 1),
        Columns.Text("Message", "A human-readable description of the status of this operation."),
        Columns.Text("First Seen", "The time at which the event was first recorded.", 1),
        Columns.Text("Count", "The number of times this event has occurred.", 1),
        Columns.Name with { Priority = 1 },
    ];

    /// <summary>Field names of one event flavour.</summary>
    private sealed record Fields(string Regarding, string Message, string FirstTimestamp, string LastTimestamp, string Count, string Source);

    private static readonly Fields CoreFields = new("involvedObject", "message", "firstTimestamp", "lastTimestamp", "count", "source");
    private static readonly Fields EventsFields = new("regarding", "note", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount", "deprecatedSource");

    public static readonly KindPrinter Core = new(EventColumns, (o, now) => Cells(o, now, CoreFields));

    public static readonly KindPrinter EventsV1 = new(EventColumns, (o, now) => Cells(o, now, EventsFields));

    private static JsonNode?[] Cells(JsonObject o, DateTimeOffset now, Fields f)
    {
        var firstSeen = o.Time(f.FirstTimestamp) is { } first
            ? HumanDuration.Since(first, now)
            : HumanDuration.Since(o.Time("eventTime"), now);
        var lastSeen = o.Time(f.LastTimestamp) is { } last ? HumanDuration.Since(last, now) : firstSeen;
        var count = o.L(f.Count);
        if (o.Obj("series") is { } series)
        {
            lastSeen = HumanDuration.Since(series.Time("lastObservedTime"), now);
            count = series.L("count");
        }
        else if (count == 0)
        {
            // Singleton events of the new API carry no count.
            count = 1;
        }

        var regarding = o.Obj(f.Regarding);
        var kind = regarding.S("kind").ToLowerInvariant();
        var target = regarding.S("name") is { Length: > 0 } name ? kind + "/" + name : kind;
        return
        [
            lastSeen, o.S("type"), o.S("reason"), target, regarding.S("fieldPath"),
            Source(o.S(f.Source, "component"), o.S(f.Source, "host"), o.S("reportingController"), o.S("reportingInstance")),
            o.S(f.Message).Trim(), firstSeen, count, Meta.Name(o),
        ];
    }

    private static string Source(string component, string host, string reportingController, string reportingInstance)
    {
        var who = component.Length > 0 ? component : reportingController;
        var where = host.Length > 0 ? host : reportingInstance;
        return where.Length == 0 ? who : who + ", " + where;
    }
}
