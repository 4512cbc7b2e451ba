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
}
