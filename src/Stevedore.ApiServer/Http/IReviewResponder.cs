using System.Text.Json.Nodes;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Http;

/// <summary>Answers create-only review kinds (access reviews, token reviews, self subject reviews).</summary>
public interface IReviewResponder
{
    JsonObject Respond(ApiResource resource, string? ns, JsonObject request, RequestUser user);
}
