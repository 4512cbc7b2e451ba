using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Tests.Printing;

/// <summary>Fixtures for printer tests: a fixed "now" and JSON objects built from literals.</summary>
internal static class TestObjects
{
    public static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly ResourceCatalog Catalog = ResourceCatalog.CreateBuiltIn();

    /// <summary>RFC 3339 text of Now minus the given seconds.</summary>
    public static string Ago(int seconds) => Now.AddSeconds(-seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses JSON written with single quotes, created 10 minutes before Now unless it says otherwise.</summary>
    public static JsonObject Parse(string json)
    {
        var obj = JsonNode.Parse(json.Replace('\'', '"'))!.AsObject();
        var metadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = metadata;
        metadata["name"] ??= "x";
        metadata["creationTimestamp"] ??= Ago(600);
        return obj;
    }

    public static ApiResource Resource(string group, string plural) =>
        Catalog.All.First(r => r.Group == group && r.Plural == plural);

    /// <summary>The printed cells of one object, keyed by column name.</summary>
    public static Dictionary<string, JsonNode?> Cells(string group, string plural, JsonObject obj)
    {
        var resource = Resource(group, plural);
        var table = Stevedore.ApiServer.Printing.TableConverter.ToTable(resource, obj, Stevedore.ApiServer.Printing.IncludeObjectPolicy.None, Now);
        var names = table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToList();
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        return names.Select((n, i) => (n, cells[i])).ToDictionary(p => p.n, p => p.Item2);
    }

    public static string? Text(this Dictionary<string, JsonNode?> cells, string column) => cells[column] switch
    {
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        var other => other?.ToJsonString(),
    };
}
