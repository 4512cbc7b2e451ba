using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Defaulting and validation of the built-in kinds.</summary>
public sealed class BuiltInObjectPolicy : IObjectPolicy
{
    public void ApplyDefaults(ApiResource resource, JsonObject obj)
    {
    }

    public IReadOnlyList<StatusCause> ValidateCreate(ApiResource resource, JsonObject obj)
    {
        var name = obj["metadata"]?["name"]?.ToString();
        return string.IsNullOrEmpty(name)
            ? [new StatusCause("FieldValueRequired", "name or generateName is required", "metadata.name")]
            : [];
    }

    public IReadOnlyList<StatusCause> ValidateUpdate(ApiResource resource, JsonObject newObj, JsonObject oldObj) => [];

    public IReadOnlyList<string> FindUnknownFields(ApiResource resource, JsonObject obj) => [];
}
