using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Validation;

/// <summary>
/// The message of the 422 <c>Status</c> upstream returns for an invalid object:
/// <c>Deployment.apps "web" is invalid: [spec.selector: Required value, ...]</c>.
/// </summary>
public static class InvalidObjectMessage
{
    /// <param name="kind">The kind, e.g. <c>Deployment</c>.</param>
    /// <param name="group">The API group, empty for core (then the kind stands alone).</param>
    /// <param name="name">The object name as submitted (may be empty).</param>
    /// <param name="errors">At least one error.</param>
    public static string Format(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        return $"{qualifiedKind} {BadValues.Quote(name)} is invalid: {Aggregate(errors)}";
    }

    /// <summary>The message for an object of a served resource.</summary>
    public static string Format(ApiResource resource, string name, IReadOnlyList<FieldError> errors) =>
        Format(resource.Kind, resource.Group, name, errors);

    /// <summary>Upstream's aggregate error text: one message alone, several in brackets, duplicates dropped.</summary>
    public static string Aggregate(IReadOnlyList<FieldError> errors)
    {
        var messages = errors.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        return messages.Count switch
        {
            0 => "",
            1 => messages[0],
            _ => "[" + string.Join(", ", messages) + "]",
        };
    }
}
