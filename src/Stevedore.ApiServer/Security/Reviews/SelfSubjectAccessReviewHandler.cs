using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;

namespace Stevedore.ApiServer.Security.Reviews;

/// <summary>
/// Answers <c>POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews</c> (<c>kubectl auth can-i</c>):
/// asks the authorizer whether the requesting user may do what the spec describes. Never stored;
/// the HTTP layer answers 201 with the returned object.
/// </summary>
public static class SelfSubjectAccessReviewHandler
{
    public const string Group = "authorization.k8s.io";
    public const string Kind = "SelfSubjectAccessReview";

    /// <summary>A 422 Status to answer instead if the request is invalid, else <c>null</c>.
    /// Exactly one of <c>spec.resourceAttributes</c> and <c>spec.nonResourceAttributes</c> must be set.</summary>
    public static JsonObject? Validate(JsonObject request)
    {
        var spec = request["spec"] as JsonObject;
        var hasResource = spec?["resourceAttributes"] is JsonObject;
        var hasNonResource = spec?["nonResourceAttributes"] is JsonObject;
        if (hasResource && hasNonResource)
        {
            return ReviewObjects.Invalid(Group, Kind, "spec.nonResourceAttributes",
                "cannot be specified in combination with resourceAttributes");
        }

        return hasResource || hasNonResource
            ? null
            : ReviewObjects.Invalid(Group, Kind, "spec.resourceAttributes",
                "exactly one of nonResourceAttributes or resourceAttributes must be specified");
    }

    /// <summary>The review with <c>status.allowed</c>, <c>status.denied</c> (only when explicitly
    /// denied) and <c>status.reason</c> (when the authorizer gave one) filled in.</summary>
    public static JsonObject Handle(JsonObject request, UserInfo user, IAuthorizer authz)
    {
        var decision = authz.Authorize(AttributesOf(request, user));
        var response = ReviewObjects.Respond(request, $"{Group}/v1", Kind);
        var status = new JsonObject { ["allowed"] = decision.IsAllowed };
        if (decision.IsDenied)
        {
            status["denied"] = true;
        }

        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }

        response["status"] = status;
        return response;
    }

    /// <summary>The authorization question a review's spec asks, on behalf of <paramref name="user"/>.</summary>
    public static AuthorizationAttributes AttributesOf(JsonObject request, UserInfo user)
    {
        var spec = request["spec"] as JsonObject;
        if (spec?["resourceAttributes"] is JsonObject resource)
        {
            return AuthorizationAttributes.ForResource(
                user,
                verb: ReviewObjects.Text(resource, "verb"),
                apiGroup: ReviewObjects.Text(resource, "group"),
                apiVersion: ReviewObjects.Text(resource, "version"),
                resource: ReviewObjects.Text(resource, "resource"),
                subresource: ReviewObjects.Text(resource, "subresource"),
                @namespace: ReviewObjects.Text(resource, "namespace"),
                name: ReviewObjects.Text(resource, "name"));
        }

        var nonResource = spec?["nonResourceAttributes"] as JsonObject;
        return AuthorizationAttributes.ForPath(
            user, ReviewObjects.Text(nonResource, "verb"), ReviewObjects.Text(nonResource, "path"));
    }
}
