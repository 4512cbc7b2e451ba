using System.Globalization;
using k8s.Models;

namespace Stevedore.Scheduler.Util;

/// <summary>
/// Matches nodes against node selector terms (node affinity): terms are ORed, the expressions
/// and fields inside a term ANDed, and a term with neither matches nothing.
/// </summary>
public static class NodeSelectorMatcher
{
    /// <summary>The only field upstream supports in <c>matchFields</c>.</summary>
    public const string MetadataNameField = "metadata.name";

    public static bool MatchesAnyTerm(IList<V1NodeSelectorTerm>? terms, V1Node node)
    {
        if (terms is null)
        {
            return false;
        }

        foreach (var term in terms)
        {
            if (MatchesTerm(term, node))
            {
                return true;
            }
        }

        return false;
    }

    public static bool MatchesTerm(V1NodeSelectorTerm term, V1Node node)
    {
        var exprs = term.MatchExpressions;
        var fields = term.MatchFields;
        if ((exprs is null || exprs.Count == 0) && (fields is null || fields.Count == 0))
        {
            return false;
        }

        if (exprs is not null)
        {
            foreach (var r in exprs)
            {
                string? value = null;
                var has = node.Metadata?.Labels is { } labels && labels.TryGetValue(r.Key, out value);
                if (!MatchesRequirement(r, has, value))
                {
                    return false;
                }
            }
        }

        if (fields is not null)
        {
            foreach (var r in fields)
            {
                // Unknown fields never match, like upstream's field selector conversion error.
                if (r.Key != MetadataNameField || !MatchesRequirement(r, true, node.Metadata?.Name))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Evaluates one requirement against a label that is present (<paramref name="has"/>) with <paramref name="value"/>.</summary>
    public static bool MatchesRequirement(V1NodeSelectorRequirement r, bool has, string? value)
    {
        var values = r.Values ?? [];
        switch (r.OperatorProperty)
        {
            case "In":
                return has && values.Contains(value!);
            case "NotIn":
                return !has || !values.Contains(value!);
            case "Exists":
                return has;
            case "DoesNotExist":
                return !has;
            case "Gt":
            case "Lt":
                if (!has || values.Count != 1
                    || !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var actual)
                    || !long.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }

                return r.OperatorProperty == "Gt" ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>
    /// The pod's hard node constraints: every <c>nodeSelector</c> pair and, when present, at least
    /// one required node affinity term.
    /// </summary>
    public static bool PodMatchesNode(V1Pod pod, V1Node node)
    {
        if (pod.Spec?.NodeSelector is { Count: > 0 } selector)
        {
            var labels = node.Metadata?.Labels;
            foreach (var (k, v) in selector)
            {
                if (labels is null || !labels.TryGetValue(k, out var actual) || actual != v)
                {
                    return false;
                }
            }
        }

        var required = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || MatchesAnyTerm(required.NodeSelectorTerms, node);
    }
}
