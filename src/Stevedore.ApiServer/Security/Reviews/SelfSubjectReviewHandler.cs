using System.Globalization;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.Reviews;

/// <summary>
/// Answers <c>POST /apis/authentication.k8s.io/{v1,v1beta1}/selfsubjectreviews</c>
/// (<c>kubectl auth whoami</c>; kubectl 1.27 asks v1beta1, 1.28+ v1): the requesting user's
/// attributes. The answer carries the request's apiVersion.
/// </summary>
public static class SelfSubjectReviewHandler
{
    public const string Group = "authentication.k8s.io";
    public const string Kind = "SelfSubjectReview";

    /// <param name="request">The posted object (only its apiVersion matters).</param>
    /// <param name="user">The authenticated caller.</param>
    /// <param name="now">Becomes <c>metadata.creationTimestamp</c>, as upstream stamps it.</param>
    public static JsonObject Handle(JsonObject request, UserInfo user, DateTimeOffset now)
    {
        var response = ReviewObjects.Respond(request, $"{Group}/v1", Kind);
        response["metadata"] = new JsonObject
        {
            ["creationTimestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        response["status"] = new JsonObject { ["userInfo"] = ReviewObjects.UserInfoJson(user) };
        return response;
    }
}
