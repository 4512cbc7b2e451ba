using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Registry;

/// <summary>
/// Per-kind defaulting and validation, applied to every create and update before anything is
/// written. Validation returns causes; an empty list means the object is valid.
/// </summary>
public interface IObjectPolicy
{
    void ApplyDefaults(ApiResource resource, JsonObject obj);

    IReadOnlyList<StatusCause> ValidateCreate(ApiResource resource, JsonObject obj);

    IReadOnlyList<StatusCause> ValidateUpdate(ApiResource resource, JsonObject newObj, JsonObject oldObj);

    /// <summary>As <see cref="ValidateUpdate(ApiResource, JsonObject, JsonObject)"/> for a write through <paramref name="subresource"/> (null: the object itself).</summary>
    IReadOnlyList<StatusCause> ValidateUpdate(ApiResource resource, JsonObject newObj, JsonObject oldObj, string? subresource) =>
        ValidateUpdate(resource, newObj, oldObj);

    /// <summary>Fields present in the object that its schema does not know, as <c>.spec.foo</c> paths.</summary>
    IReadOnlyList<string> FindUnknownFields(ApiResource resource, JsonObject obj);

    /// <summary>As <see cref="FindUnknownFields(ApiResource, JsonObject)"/> for an object given as JSON text.</summary>
    IReadOnlyList<string> FindUnknownFields(ApiResource resource, ReadOnlySpan<byte> json) =>
        FindUnknownFields(resource, Serialization.Json.ParseObject(json));
}
