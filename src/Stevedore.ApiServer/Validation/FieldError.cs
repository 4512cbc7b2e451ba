namespace Stevedore.ApiServer.Validation;

/// <summary>
/// One validation failure at a field path (<c>spec.template.spec.containers[0].name</c>), shaped
/// like upstream's <c>field.Error</c>: <see cref="Reason"/> is the <c>StatusCause</c> type and
/// <see cref="Message"/> the cause message, both word for word as upstream renders them.
/// </summary>
/// <param name="Type">What went wrong.</param>
/// <param name="Field">The field path, e.g. <c>metadata.labels</c>.</param>
/// <param name="BadValue">The offending value already rendered the way Go's field errors print it
/// (<c>"Foo_Bar"</c> quoted, <c>-1</c>, <c>map[string]string{"a":"b"}</c>); null when the message omits it.</param>
/// <param name="Detail">The explanation that follows the value, may be empty.</param>
public sealed record FieldError(FieldErrorType Type, string Field, string? BadValue, string Detail)
{
    /// <summary>The upstream <c>metav1.CauseType</c>, e.g. <c>FieldValueRequired</c>.</summary>
    public string Reason => Type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.NotFound => "FieldValueNotFound",
        _ => throw new InvalidOperationException($"unknown field error type {Type}"),
    };

    /// <summary>The human text of the type, e.g. <c>Required value</c>, <c>Unsupported value</c>.</summary>
    public string TypeText => Type switch
    {
        FieldErrorType.Required => "Required value",
        FieldErrorType.Invalid => "Invalid value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        FieldErrorType.NotFound => "Not found",
        _ => throw new InvalidOperationException($"unknown field error type {Type}"),
    };

    /// <summary>The error without its field: <c>Invalid value: "x": detail</c> (upstream <c>ErrorBody</c>).</summary>
    public string Message
    {
        get
        {
            // Upstream never prints the value of Required, Forbidden and TooLong errors.
            var printsValue = BadValue is not null && Type is not (FieldErrorType.Required or FieldErrorType.Forbidden or FieldErrorType.TooLong);
            var body = printsValue ? $"{TypeText}: {BadValue}" : TypeText;
            return Detail.Length == 0 ? body : $"{body}: {Detail}";
        }
    }

    /// <summary><c>field: message</c>, the form used inside the aggregate Status message.</summary>
    public override string ToString() => Field.Length == 0 ? Message : $"{Field}: {Message}";

    public static FieldError Required(string field, string detail = "") => new(FieldErrorType.Required, field, null, detail);

    public static FieldError Invalid(string field, object? value, string detail) => new(FieldErrorType.Invalid, field, BadValues.Render(value), detail);

    /// <summary>An unsupported enum value; <paramref name="supported"/> keeps the caller's order, as upstream does.</summary>
    public static FieldError NotSupported(string field, object? value, IEnumerable<string> supported) =>
        new(FieldErrorType.NotSupported, field, BadValues.Render(value),
            "supported values: " + string.Join(", ", supported.Select(BadValues.Quote)));

    public static FieldError Duplicate(string field, object? value) => new(FieldErrorType.Duplicate, field, BadValues.Render(value), "");

    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, null, detail);

    public static FieldError TooLong(string field, int maxLength) =>
        new(FieldErrorType.TooLong, field, null, $"may not be more than {maxLength} {(maxLength == 1 ? "byte" : "bytes")}");

    public static FieldError TooMany(string field, int actual, int max) =>
        new(FieldErrorType.TooMany, field, BadValues.Render(actual), $"must have at most {max} {(max == 1 ? "item" : "items")}");

    public static FieldError NotFound(string field, object? value) => new(FieldErrorType.NotFound, field, BadValues.Render(value), "");
}
