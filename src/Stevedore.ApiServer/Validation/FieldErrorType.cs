namespace Stevedore.ApiServer.Validation;

/// <summary>The kinds of field error upstream Kubernetes reports (apimachinery <c>field.ErrorType</c>).</summary>
public enum FieldErrorType
{
    Required,
    Invalid,
    NotSupported,
    Duplicate,
    Forbidden,
    TooLong,
    TooMany,
    NotFound,
}
