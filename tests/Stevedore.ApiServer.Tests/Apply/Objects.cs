using System.Text.Json.Nodes;
using Stevedore.ApiServer.Apply;

namespace Stevedore.ApiServer.Tests.Apply;

/// <summary>Builders and readers for apply tests.</summary>
internal static class Objects
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    public static readonly DateTimeOffset T1 = T0.AddMinutes(5);

    /// <summary>A Deployment named web with the given spec (and optional labels) in real JSON.</summary>
    public static JsonObject Deployment(string spec, string labels = "")
    {
        var metadata = labels.Length == 0 ? """{"name":"web","namespace":"default"}""" : $$"""{"name":"web","namespace":"default","labels":{{labels}}}""";
        return (JsonObject)JsonNode.Parse($$"""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{metadata}},"spec":{{spec}}}""")!;
    }

    public static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;

    public static JsonArray ManagedFields(JsonObject obj) => (JsonArray)obj["metadata"]!["managedFields"]!;

    public static JsonObject Entry(JsonObject obj, string manager) =>
        ManagedFields(obj).OfType<JsonObject>().Single(e => (string?)e["manager"] == manager);

    /// <summary>The paths a manager owns, in upstream display form.</summary>
    public static HashSet<string> Owned(JsonObject obj, string manager) =>
        [.. FieldSet.FromFieldsV1((JsonObject)Entry(obj, manager)["fieldsV1"]!).Select(p => p.ToString())];

    public static JsonObject Applied(ApplyOutcome outcome)
    {
        Assert.True(outcome.Succeeded, outcome.ConflictMessage);
        return outcome.Object!;
    }
}
