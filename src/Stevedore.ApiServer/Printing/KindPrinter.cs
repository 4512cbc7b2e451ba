using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>
/// The Table shape of one kind: its columns and how one object becomes a row's cells (all
/// columns, wide ones included: the server always prints wide and kubectl hides priority 1).
/// </summary>
/// <param name="Columns">Column definitions, in cell order.</param>
/// <param name="Cells">Cells for one object at a given "now"; one per column.</param>
/// <param name="Conditions">Optional row conditions (upstream marks finished pods Completed).</param>
internal sealed record KindPrinter(
    IReadOnlyList<TableColumn> Columns,
    Func<JsonObject, DateTimeOffset, JsonNode?[]> Cells,
    Func<JsonObject, JsonArray?>? Conditions = null);
