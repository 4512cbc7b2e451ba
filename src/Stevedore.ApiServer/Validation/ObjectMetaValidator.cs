using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Upstream's <c>ValidateObjectMeta</c> and <c>ValidateObjectMetaUpdate</c> over JSON.</summary>
internal static class ObjectMetaValidator
{
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;
    private const string Path = "metadata";

    public static void ValidateCreate(JsonObject obj, bool namespaced, NameRule nameRule, List<FieldError> errors)
    {
        var meta = obj.Obj("metadata");
        var name = meta.Str("name") ?? "";
        var generateName = meta.Str("generateName") ?? "";
        if (generateName.Length > 0)
        {
            foreach (var message in CheckName(nameRule, generateName, prefix: true))
            {
                errors.Add(FieldError.Invalid(Path.Child("generateName"), generateName, message));
            }
        }

        // A name is generated from generateName before storage, so only a missing pair is an error here.
        if (name.Length == 0)
        {
            if (generateName.Length == 0)
            {
                errors.Add(FieldError.Required(Path.Child("name"), "name or generateName is required"));
            }
        }
        else
        {
            foreach (var message in CheckName(nameRule, name, prefix: false))
            {
                errors.Add(FieldError.Invalid(Path.Child("name"), name, message));
            }
        }

        var ns = meta.Str("namespace") ?? "";
        if (namespaced)
        {
            if (ns.Length == 0)
            {
                errors.Add(FieldError.Required(Path.Child("namespace")));
            }
            else
            {
                errors.AddRange(NameRules.Dns1123Label(ns).Select(m => FieldError.Invalid(Path.Child("namespace"), ns, m)));
            }
        }
        else if (ns.Length > 0)
        {
            errors.Add(FieldError.Forbidden(Path.Child("namespace"), "not allowed on this type"));
        }

        ValidateCommon(meta, errors);
    }

    public static void ValidateUpdate(JsonObject newObj, JsonObject oldObj, List<FieldError> errors)
    {
        var newMeta = newObj.Obj("metadata");
        var oldMeta = oldObj.Obj("metadata");
        if (oldMeta.Has("deletionTimestamp"))
        {
            var oldFinalizers = Strings(oldMeta.Arr("finalizers")).ToHashSet(StringComparer.Ordinal);
            var added = Strings(newMeta.Arr("finalizers")).Where(f => !oldFinalizers.Contains(f)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                errors.Add(FieldError.Forbidden(Path.Child("finalizers"),
                    $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(BadValues.Quote))}}}"));
            }
        }

        // Generation is the registry's (upstream copies it from the stored object before validating).
        foreach (var field in (string[])["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"])
        {
            // Upstream carries an omitted uid and creationTimestamp over from the stored object.
            if (field is "uid" or "creationTimestamp" && newMeta?[field] is null)
            {
                continue;
            }

            Immutable.Check(newMeta?[field], oldMeta?[field], Path.Child(field), errors);
        }

        ValidateCommon(newMeta, errors);
    }

    private static void ValidateCommon(JsonObject? meta, List<FieldError> errors)
    {
        if (meta.Int("generation") is < 0 and var generation)
        {
            errors.Add(FieldError.Invalid(Path.Child("generation"), generation, "must be greater than or equal to 0"));
        }

        ValidateLabels(meta.Obj("labels"), Path.Child("labels"), errors);
        ValidateAnnotations(meta.Obj("annotations"), Path.Child("annotations"), errors);
        var index = 0;
        foreach (var finalizer in Strings(meta.Arr("finalizers")))
        {
            var at = Path.Child("finalizers").Index(index++);
            errors.AddRange(NameRules.QualifiedName(finalizer).Select(m => FieldError.Invalid(at, finalizer, m)));
        }

        index = 0;
        foreach (var owner in meta.Arr("ownerReferences").Objects())
        {
            var at = Path.Child("ownerReferences").Index(index++);
            if (!owner.HasText("apiVersion"))
            {
                errors.Add(FieldError.Invalid(at.Child("apiVersion"), owner.Str("apiVersion") ?? "", "version must not be empty"));
            }

            if (!owner.HasText("kind"))
            {
                errors.Add(FieldError.Invalid(at.Child("kind"), owner.Str("kind") ?? "", "kind must not be empty"));
            }

            if (!owner.HasText("name"))
            {
                errors.Add(FieldError.Invalid(at.Child("name"), owner.Str("name") ?? "", "name must not be empty"));
            }

            if (!owner.HasText("uid"))
            {
                errors.Add(FieldError.Invalid(at.Child("uid"), owner.Str("uid") ?? "", "uid must not be empty"));
            }
        }

        var controllers = meta.Arr("ownerReferences").Objects().Count(o => o.Bool("controller") == true);
        if (controllers > 1)
        {
            errors.Add(FieldError.Invalid(Path.Child("ownerReferences"), new RenderedValue("[]v1.OwnerReference{...}"), "Only one reference can have Controller set to true"));
        }
    }

    public static void ValidateLabels(JsonObject? labels, string path, List<FieldError> errors)
    {
        foreach (var (key, value) in labels ?? [])
        {
            errors.AddRange(NameRules.QualifiedName(key).Select(m => FieldError.Invalid(path, key, m)));
            var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
            errors.AddRange(NameRules.LabelValue(text).Select(m => FieldError.Invalid(path, text, m)));
        }
    }

    public static void ValidateAnnotations(JsonObject? annotations, string path, List<FieldError> errors)
    {
        long size = 0;
        foreach (var (key, value) in annotations ?? [])
        {
            // Annotation keys are case-insensitive in their checks, unlike label keys.
            errors.AddRange(NameRules.QualifiedName(key.ToLowerInvariant()).Select(m => FieldError.Invalid(path, key, m)));
            var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
            size += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(text);
        }

        if (size > TotalAnnotationSizeLimitBytes)
        {
            errors.Add(FieldError.TooLong(path, TotalAnnotationSizeLimitBytes));
        }
    }

    public static IReadOnlyList<string> CheckName(NameRule rule, string name, bool prefix)
    {
        // A generateName prefix may end in '-': check it as if a character followed.
        if (prefix && rule != NameRule.PathSegment && name.Length > 1 && name.EndsWith('-'))
        {
            name = name[..^1] + "a";
        }

        return rule switch
        {
            NameRule.Dns1123Label => NameRules.Dns1123Label(name),
            NameRule.Dns1035Label => NameRules.Dns1035Label(name),
            NameRule.PathSegment => NameRules.PathSegment(name),
            _ => NameRules.Dns1123Subdomain(name),
        };
    }

    private static IEnumerable<string> Strings(JsonArray? array) =>
        array?.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()) ?? [];
}
