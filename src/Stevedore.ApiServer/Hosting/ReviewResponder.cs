using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;
using Stevedore.ApiServer.Security.Reviews;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Routes each review kind to its handler in Security/Reviews.</summary>
public sealed class ReviewResponder(IAuthorizer authorizer, IRuleResolver rules, ITokenAuthenticator tokens, TimeProvider time) : IReviewResponder
{
    public async ValueTask<JsonObject> RespondAsync(ApiResource resource, string? ns, JsonObject request, UserInfo user, CancellationToken cancellationToken)
    {
        switch (resource.Kind)
        {
            case "SelfSubjectAccessReview":
                ThrowIfInvalid(SelfSubjectAccessReviewHandler.Validate(request));
                return SelfSubjectAccessReviewHandler.Handle(request, user, authorizer);
            case "SelfSubjectRulesReview":
                return SelfSubjectRulesReviewHandler.Handle(request, user, rules);
            case "SelfSubjectReview":
                return SelfSubjectReviewHandler.Handle(request, user, time.GetUtcNow());
            case "TokenReview":
                ThrowIfInvalid(TokenReviewHandler.Validate(request));
                return await TokenReviewHandler.HandleAsync(request, tokens, cancellationToken);
            default:
                throw new ApiException(405, "MethodNotAllowed", $"{resource.Plural}.{resource.Group} is not answered by this server yet");
        }
    }

    private static void ThrowIfInvalid(JsonObject? status)
    {
        if (status is not null)
        {
            var causes = (status["details"]?["causes"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(c => new StatusCause(c["reason"]?.ToString() ?? "", c["message"]?.ToString() ?? "", c["field"]?.ToString())).ToList();
            throw new ApiException(status["code"]?.GetValue<int>() ?? 400, status["reason"]?.ToString() ?? "BadRequest", status["message"]?.ToString() ?? "invalid review")
            {
                Causes = causes,
            };
        }
    }
}
