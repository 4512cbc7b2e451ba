using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Printing;

/// <summary>
/// One <c>columnDefinitions</c> entry of a <c>meta.k8s.io/v1 Table</c>. Priority 0 columns are
/// printed by default; priority 1 columns only with <c>-o wide</c>.
/// </summary>
public sealed record TableColumn(string Name, string Type, string Description, string Format = "", int Priority = 0)
{
    /// <summary>Upstream serializes every field, empty format and zero priority included.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["format"] = Format,
        ["description"] = Description,
        ["priority"] = Priority,
    };
}
