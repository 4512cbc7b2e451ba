using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.Reviews;

/// <summary>
/// Answers <c>POST /apis/authentication.k8s.io/v1/tokenreviews</c>: whether <c>spec.token</c> is a
/// token this server accepts and, if so, whose. The caller must itself be authorized to create
/// tokenreviews; that check belongs to the HTTP layer.
/// </summary>
public static class TokenReviewHandler
{
    public const string Group = "authentication.k8s.io";
    public const string Kind = "TokenReview";

    /// <summary>A 400 Status to answer instead if the request has no token, else <c>null</c>.</summary>
    public static JsonObject? Validate(JsonObject request) =>
        ReviewObjects.Text(request["spec"], "token").Length == 0
            ? ReviewObjects.BadRequest("token is required for TokenReview in authentication")
            : null;

    /// <summary>
    /// The review with <c>status.authenticated</c> and, when true, <c>status.user</c> (the spec is
    /// echoed, token included, as upstream does). Requested <c>spec.audiences</c> are reported as satisfied
    /// because the current token kinds are not bound to audiences.
    /// </summary>
    public static async ValueTask<JsonObject> HandleAsync(
        JsonObject request, ITokenAuthenticator tokens, CancellationToken cancellationToken)
    {
        var token = ReviewObjects.Text(request["spec"], "token");
        var user = token.Length == 0 ? null : await tokens.AuthenticateTokenAsync(token, cancellationToken);
        var response = ReviewObjects.Respond(request, $"{Group}/v1", Kind);
        var status = new JsonObject { ["authenticated"] = user is not null };
        if (user is not null)
        {
            status["user"] = ReviewObjects.UserInfoJson(user.WithAuthenticatedGroup());
            if (request["spec"]?["audiences"] is JsonArray audiences && audiences.Count > 0)
            {
                status["audiences"] = audiences.DeepClone();
            }
        }

        response["status"] = status;
        return response;
    }
}
