using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's <c>ValidateImmutableField</c>: <c>Invalid value: ...: field is immutable</c>.</summary>
internal static class Immutable
{
    public const string Message = "field is immutable";

    public static void Check(JsonNode? newValue, JsonNode? oldValue, string path, List<FieldError> errors, object? renderedValue = null)
    {
        if (!JsonNode.DeepEquals(newValue, oldValue))
        {
            errors.Add(FieldError.Invalid(path, renderedValue ?? newValue, Message));
        }
    }
}
