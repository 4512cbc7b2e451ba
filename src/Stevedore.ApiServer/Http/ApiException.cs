using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Http;

/// <summary>One cause of an error, rendered into <c>Status.details.causes</c>.</summary>
public sealed record StatusCause(string Reason, string Message, string? Field);

/// <summary>
/// A request that ends in a Kubernetes <c>Status</c> failure. Thrown from deep inside request
/// handling and turned into the response body by the endpoint, so no handler writes half a reply.
/// </summary>
public sealed class ApiException(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public string? DetailsName { get; init; }
    public string? DetailsGroup { get; init; }
    public string? DetailsKind { get; init; }
    public string? DetailsUid { get; init; }
    public int? RetryAfterSeconds { get; init; }
    public IReadOnlyList<StatusCause> Causes { get; init; } = [];

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (DetailsName is not null || DetailsKind is not null || Causes.Count > 0 || RetryAfterSeconds is not null)
        {
            var details = new JsonObject();
            if (DetailsName is not null)
            {
                details["name"] = DetailsName;
            }

            if (!string.IsNullOrEmpty(DetailsGroup))
            {
                details["group"] = DetailsGroup;
            }

            if (DetailsKind is not null)
            {
                details["kind"] = DetailsKind;
            }

            if (DetailsUid is not null)
            {
                details["uid"] = DetailsUid;
            }

            if (Causes.Count > 0)
            {
                var causes = new JsonArray();
                foreach (var c in Causes)
                {
                    var cause = new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message };
                    if (c.Field is not null)
                    {
                        cause["field"] = c.Field;
                    }

                    causes.Add(cause);
                }

                details["causes"] = causes;
            }

            if (RetryAfterSeconds is not null)
            {
                details["retryAfterSeconds"] = RetryAfterSeconds;
            }

            status["details"] = details;
        }

        status["code"] = Code;
        return status;
    }

    /// <summary>"deployments.apps" as upstream qualifies a resource in messages.</summary>
    public static string Qualified(string group, string plural) => group.Length == 0 ? plural : $"{plural}.{group}";

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException NotFound(string group, string plural, string name) =>
        new(404, "NotFound", $"{Qualified(group, plural)} \"{name}\" not found") { DetailsName = name, DetailsGroup = group, DetailsKind = plural };

    public static ApiException NotFoundPath(string path) => new(404, "NotFound", "the server could not find the requested resource") { DetailsName = path };

    public static ApiException AlreadyExists(string group, string plural, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, plural)} \"{name}\" already exists") { DetailsName = name, DetailsGroup = group, DetailsKind = plural };

    public static ApiException Conflict(string group, string plural, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, plural)} \"{name}\": {detail}") { DetailsName = name, DetailsGroup = group, DetailsKind = plural };

    public static ApiException StaleUpdate(string group, string plural, string name) =>
        Conflict(group, plural, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiException Invalid(string kindQualified, string kind, string group, string name, IReadOnlyList<StatusCause> causes)
    {
        var list = causes.Select(c => c.Field is null ? c.Message : $"{c.Field}: {c.Message}").ToList();
        var joined = list.Count == 1 ? list[0] : "[" + string.Join(", ", list) + "]";
        return new ApiException(422, "Invalid", $"{kindQualified} \"{name}\" is invalid: {joined}")
        {
            DetailsName = name,
            DetailsGroup = group,
            DetailsKind = kind,
            Causes = causes,
        };
    }

    public static ApiException MethodNotAllowed(string message = "the server does not allow this method on the requested resource") =>
        new(405, "MethodNotAllowed", message);

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public static ApiException Forbidden(string message) => new(403, "Forbidden", message);

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf; got {contentType}");

    public static ApiException NotAcceptable() =>
        new(406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml");

    public static ApiException TooLarge(long limit) => new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");

    public static ApiException Internal(string message) => new(500, "InternalError", $"Internal error occurred: {message}");

    public static ApiException Timeout(string message) => new(504, "Timeout", message);
}
