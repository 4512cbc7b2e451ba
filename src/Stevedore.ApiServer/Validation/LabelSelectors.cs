using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;

namespace Stevedore.ApiServer.Validation;

/// <summary>Validation, matching and Go rendering of <c>metav1.LabelSelector</c> JSON.</summary>
internal static class LabelSelectors
{
    public static void Validate(JsonObject selector, string path, List<FieldError> errors)
    {
        var index = 0;
        foreach (var requirement in selector.Arr("matchExpressions").Objects())
        {
            var at = path.Child("matchExpressions").Index(index++);
            var values = requirement.Arr("values");
            switch (requirement.Str("operator"))
            {
                case "In" or "NotIn":
                    if (values is not { Count: > 0 })
                    {
                        errors.Add(FieldError.Required(at.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                    }

                    break;
                case "Exists" or "DoesNotExist":
                    if (values is { Count: > 0 })
                    {
                        errors.Add(FieldError.Forbidden(at.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }

                    break;
                default:
                    errors.Add(FieldError.Invalid(at.Child("operator"), requirement.Str("operator") ?? "", "not a valid selector operator"));
                    break;
            }

            var key = requirement.Str("key") ?? "";
            errors.AddRange(NameRules.QualifiedName(key).Select(m => FieldError.Invalid(at.Child("key"), key, m)));
            var valueIndex = 0;
            foreach (var value in values ?? [])
            {
                var text = value?.GetValue<string>() ?? "";
                var valuePath = at.Child("values").Index(valueIndex++);
                errors.AddRange(NameRules.LabelValue(text).Select(m => FieldError.Invalid(valuePath, text, m)));
            }
        }

        ObjectMetaValidator.ValidateLabels(selector.Obj("matchLabels"), path.Child("matchLabels"), errors);
    }

    public static bool IsEmpty(JsonObject? selector) =>
        selector.Obj("matchLabels") is not { Count: > 0 } && selector.Arr("matchExpressions") is not { Count: > 0 };

    /// <summary>Whether <paramref name="labels"/> satisfy the selector; an empty selector matches everything.</summary>
    public static bool Matches(JsonObject? selector, JsonObject? labels)
    {
        var set = labels.StringEntries().ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        foreach (var (key, value) in selector.Obj("matchLabels").StringEntries())
        {
            if (!set.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.Arr("matchExpressions").Objects())
        {
            var key = requirement.Str("key") ?? "";
            var values = requirement.Arr("values")?.Select(v => v?.GetValue<string>()).ToHashSet() ?? [];
            var present = set.TryGetValue(key, out var actual);
            var ok = requirement.Str("operator") switch
            {
                "In" => present && values.Contains(actual),
                "NotIn" => !present || !values.Contains(actual),
                "Exists" => present,
                "DoesNotExist" => !present,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Go's <c>%#v</c> of a <c>v1.LabelSelector</c>, as upstream prints it in field errors.</summary>
    public static RenderedValue Render(JsonObject? selector)
    {
        var matchLabels = selector.Obj("matchLabels") is { } labels
            ? BadValues.StringMap(labels.StringEntries())
            : "map[string]string(nil)";
        var expressions = selector.Arr("matchExpressions") is { } list
            ? "[]v1.LabelSelectorRequirement{" + string.Join(", ", list.Objects().Select(RenderRequirement)) + "}"
            : "[]v1.LabelSelectorRequirement(nil)";
        return new RenderedValue($"v1.LabelSelector{{MatchLabels:{matchLabels}, MatchExpressions:{expressions}}}");
    }

    private static string RenderRequirement(JsonObject requirement)
    {
        var values = requirement.Arr("values") is { } list
            ? "[]string{" + string.Join(", ", list.Select(v => BadValues.Quote(v?.GetValue<string>() ?? ""))) + "}"
            : "[]string(nil)";
        return $"v1.LabelSelectorRequirement{{Key:{BadValues.Quote(requirement.Str("key") ?? "")}, Operator:{BadValues.Quote(requirement.Str("operator") ?? "")}, Values:{values}}}";
    }
}
