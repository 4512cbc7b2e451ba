using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Hosting;

/// <summary>Defaulting and validation of the built-in kinds (see Defaulting/ and Validation/).</summary>
public sealed class BuiltInObjectPolicy : IObjectPolicy
{
    public void ApplyDefaults(ApiResource resource, JsonObject obj)
    {
        Defaulter.Apply(resource, obj);
        if (resource.Kind == "Job" && obj["metadata"]?["uid"]?.ToString() is { Length: > 0 } uid && obj["spec"]?["selector"] is null)
        {
            Defaulter.ApplyJobSelector(obj, uid);
        }
    }

    public IReadOnlyList<StatusCause> ValidateCreate(ApiResource resource, JsonObject obj) =>
        ToCauses(Validator.ValidateCreate(resource, obj));

    public IReadOnlyList<StatusCause> ValidateUpdate(ApiResource resource, JsonObject newObj, JsonObject oldObj) =>
        ToCauses(Validator.ValidateUpdate(resource, newObj, oldObj));

    public IReadOnlyList<StatusCause> ValidateUpdate(ApiResource resource, JsonObject newObj, JsonObject oldObj, string? subresource) =>
        ToCauses(Validator.ValidateUpdate(resource, newObj, oldObj, subresource));

    public IReadOnlyList<string> FindUnknownFields(ApiResource resource, JsonObject obj) =>
        UnknownFieldDetector.Find(obj, resource.ModelType);

    public IReadOnlyList<string> FindUnknownFields(ApiResource resource, ReadOnlySpan<byte> json) =>
        UnknownFieldDetector.Find(json, resource.ModelType);

    private static List<StatusCause> ToCauses(IReadOnlyList<FieldError> errors) =>
        [.. errors.Select(e => new StatusCause(e.Reason, e.Message, e.Field))];
}
