using System.Net;
using k8s.Autorest;

namespace Stevedore.Client.Resources;

/// <summary>Classifies the failures controllers handle as normal outcomes (404, 409, 410).</summary>
public static class ApiErrors
{
    public static HttpStatusCode? StatusOf(Exception exception) => exception switch
    {
        HttpOperationException http => http.Response?.StatusCode,
        _ => null,
    };

    public static bool IsNotFound(Exception exception) => StatusOf(exception) == HttpStatusCode.NotFound;

    /// <summary>409: either AlreadyExists on create or Conflict (stale resourceVersion) on update.</summary>
    public static bool IsConflict(Exception exception) => StatusOf(exception) == HttpStatusCode.Conflict;

    public static bool IsAlreadyExists(Exception exception) =>
        IsConflict(exception) && exception is HttpOperationException { Response.Content: { } body } && body.Contains("\"AlreadyExists\"", StringComparison.Ordinal);

    /// <summary>410 Gone: a resourceVersion or continue token that the server no longer keeps.</summary>
    public static bool IsGone(Exception exception) => StatusOf(exception) == HttpStatusCode.Gone;

    /// <summary>
    /// The message of the API's <c>Status</c> reply (what upstream prints, such as
    /// <c>pods "x" is forbidden: ...</c>), or the exception's own message when there is none.
    /// </summary>
    public static string MessageOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is HttpOperationException { Response.Content: { Length: > 0 } body })
        {
            try
            {
                using var status = System.Text.Json.JsonDocument.Parse(body);
                if (status.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                    && status.RootElement.TryGetProperty("message", out var message) && message.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    return message.GetString()!;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not a Status body: fall back to the exception's message.
            }
        }

        return exception.Message;
    }
}
