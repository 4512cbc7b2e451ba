using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Stevedore.ApiServer.Validation;

/// <summary>Parses resource quantities (<c>500m</c>, <c>1Gi</c>) with the client's <see cref="ResourceQuantity"/>.</summary>
internal static class Quantities
{
    public const string FormatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    public static bool TryParse(JsonNode? node, out ResourceQuantity quantity)
    {
        quantity = null!;
        var text = node?.GetValueKind() switch
        {
            JsonValueKind.String => node.GetValue<string>(),
            JsonValueKind.Number => node.ToJsonString(),
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            quantity = new ResourceQuantity(text);
            _ = quantity.ToDecimal();
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }

    public static string Canonical(ResourceQuantity quantity) => quantity.CanonicalizeString();
}
