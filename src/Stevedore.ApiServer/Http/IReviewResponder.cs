using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Http;

/// <summary>Answers create-only review kinds (access reviews, token reviews, self subject reviews).</summary>
public interface IReviewResponder
{
    ValueTask<JsonObject> RespondAsync(ApiResource resource, string? ns, JsonObject request, UserInfo user, CancellationToken cancellationToken);
}
