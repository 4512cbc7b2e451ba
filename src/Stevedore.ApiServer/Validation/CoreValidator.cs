using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's rules for Namespaces and PersistentVolumeClaims.</summary>
internal static class CoreValidator
{
    private static readonly string[] StandardFinalizers = ["kubernetes", "orphan", "foregroundDeletion"];
    private static readonly string[] AccessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
    private static readonly string[] VolumeModes = ["Block", "Filesystem"];

    public static void ValidateNamespace(JsonObject ns, List<FieldError> errors)
    {
        foreach (var finalizer in ns.Obj("spec").Arr("finalizers")?.OfType<JsonValue>() ?? [])
        {
            var name = finalizer.GetValueKind() == JsonValueKind.String ? finalizer.GetValue<string>() : "";
            var messages = NameRules.QualifiedName(name);
            errors.AddRange(messages.Select(m => FieldError.Invalid("spec.finalizers", name, m)));
            if (messages.Count == 0 && !name.Contains('/', StringComparison.Ordinal) && !StandardFinalizers.Contains(name))
            {
                errors.Add(FieldError.Invalid("spec.finalizers", name, "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }
    }

    public static void ValidatePersistentVolumeClaim(JsonObject claim, List<FieldError> errors) =>
        ValidateClaimSpec(claim.Obj("spec"), "spec", errors);

    public static void ValidateClaimSpec(JsonObject? spec, string path, List<FieldError> errors)
    {
        var modes = spec.Arr("accessModes")?.OfType<JsonValue>().Select(v => v.ToString()).ToList() ?? [];
        if (modes.Count == 0)
        {
            errors.Add(FieldError.Required(path.Child("accessModes"), "at least 1 access mode is required"));
        }

        foreach (var mode in modes.Where(m => !AccessModes.Contains(m)))
        {
            errors.Add(FieldError.NotSupported(path.Child("accessModes"), mode, AccessModes));
        }

        var storagePath = path.Child("resources").Key("storage");
        var storage = spec.Obj("resources").Obj("requests")?["storage"];
        if (storage is null)
        {
            errors.Add(FieldError.Required(storagePath));
        }
        else if (!Quantities.TryParse(storage, out var quantity))
        {
            errors.Add(FieldError.Invalid(storagePath, storage, Quantities.FormatMessage));
        }
        else if (quantity.ToDecimal() <= 0)
        {
            errors.Add(FieldError.Invalid(storagePath, Quantities.Canonical(quantity), "must be greater than zero"));
        }

        if (spec.Str("volumeMode") is { } volumeMode && !VolumeModes.Contains(volumeMode))
        {
            errors.Add(FieldError.NotSupported(path.Child("volumeMode"), volumeMode, VolumeModes));
        }

        if (spec.Obj("selector") is { } selector)
        {
            LabelSelectors.Validate(selector, path.Child("selector"), errors);
        }
    }

    /// <summary>
    /// A claim's spec is frozen except its storage request (bound claims may grow), its
    /// volumeAttributesClassName, and a volumeName set once by the binder.
    /// </summary>
    public static void ValidatePersistentVolumeClaimUpdate(JsonObject newClaim, JsonObject oldClaim, List<FieldError> errors)
    {
        ValidatePersistentVolumeClaim(newClaim, errors);
        var newSpec = (JsonObject?)newClaim.Obj("spec")?.DeepClone() ?? [];
        var oldSpec = (JsonObject?)oldClaim.Obj("spec")?.DeepClone() ?? [];
        if (!oldSpec.HasText("volumeName"))
        {
            SetOrRemove(oldSpec, "volumeName", newSpec["volumeName"]);
        }

        if (newClaim.Obj("status").Str("phase") == "Bound" && newSpec.Obj("resources").Obj("requests") is { } requests)
        {
            SetOrRemove(requests, "storage", oldSpec.Obj("resources").Obj("requests")?["storage"]);
        }

        newSpec.Remove("volumeAttributesClassName");
        oldSpec.Remove("volumeAttributesClassName");
        if (!JsonNode.DeepEquals(newSpec, oldSpec))
        {
            errors.Add(FieldError.Forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
        }

        CompareStorage(newClaim, oldClaim, errors);
    }

    // A null member and a missing one compare unequal in JsonNode.DeepEquals; keep shapes alike.
    private static void SetOrRemove(JsonObject target, string name, JsonNode? value)
    {
        if (value is null)
        {
            target.Remove(name);
        }
        else
        {
            target[name] = value.DeepClone();
        }
    }

    private static void CompareStorage(JsonObject newClaim, JsonObject oldClaim, List<FieldError> errors)
    {
        var oldStorage = oldClaim.Obj("spec").Obj("resources").Obj("requests")?["storage"];
        var newStorage = newClaim.Obj("spec").Obj("resources").Obj("requests")?["storage"];
        if (Quantities.TryParse(oldStorage, out var oldSize) && Quantities.TryParse(newStorage, out var newSize) && newSize.ToDecimal() < oldSize.ToDecimal())
        {
            errors.Add(FieldError.Forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
        }
    }
}
