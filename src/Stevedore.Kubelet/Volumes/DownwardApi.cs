using System.Globalization;
using System.Text;
using k8s.Models;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// The values the downward API exposes, for env (fieldRef, resourceFieldRef) and downwardAPI volume
/// files, formatted as upstream's kubelet formats them.
/// </summary>
public static class DownwardApi
{
    /// <summary>The value of a pod field, or throws <see cref="ArgumentException"/> for a path the downward API does not offer.</summary>
    public static string FieldValue(V1Pod pod, string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (TrySubscript(fieldPath, "metadata.labels", out var label))
        {
            return pod.Metadata?.Labels?.TryGetValue(label, out var v) == true ? v : "";
        }

        if (TrySubscript(fieldPath, "metadata.annotations", out var annotation))
        {
            return pod.Metadata?.Annotations?.TryGetValue(annotation, out var v) == true ? v : "";
        }

        return fieldPath switch
        {
            "metadata.name" => pod.Metadata?.Name ?? "",
            "metadata.namespace" => pod.Metadata?.NamespaceProperty ?? "",
            "metadata.uid" => pod.Metadata?.Uid ?? "",
            "metadata.labels" => FormatMap(pod.Metadata?.Labels),
            "metadata.annotations" => FormatMap(pod.Metadata?.Annotations),
            "spec.nodeName" => pod.Spec?.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec?.ServiceAccountName ?? "",
            "status.podIP" => pod.Status?.PodIP ?? "",
            "status.podIPs" => string.Join(",", pod.Status?.PodIPs?.Select(ip => ip.Ip) ?? []),
            "status.hostIP" => pod.Status?.HostIP ?? "",
            "status.hostIPs" => string.Join(",", pod.Status?.HostIPs?.Select(ip => ip.Ip) ?? []),
            _ => throw new ArgumentException($"unsupported fieldPath: {fieldPath}", nameof(fieldPath)),
        };
    }

    /// <summary>
    /// A container resource as a whole number of <c>divisor</c> units, rounded up (upstream:
    /// <c>ceil(value / divisor)</c>, CPU in millicores). Unset limits are the node's allocatable.
    /// </summary>
    /// <param name="container">The container the selector names (or the env's own container).</param>
    /// <exception cref="ArgumentException">The resource is not one the downward API offers, or the divisor is zero.</exception>
    public static string ResourceValue(V1ResourceFieldSelector selector, V1Container container, IReadOnlyDictionary<string, ResourceQuantity> nodeAllocatable)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var dot = selector.Resource?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0)
        {
            throw new ArgumentException($"unsupported container resource: {selector.Resource}", nameof(selector));
        }

        var kind = selector.Resource![..dot];
        var name = selector.Resource[(dot + 1)..];
        if (kind is not ("limits" or "requests") || !(name is "cpu" or "memory" or "ephemeral-storage" || name.StartsWith("hugepages-", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"unsupported container resource: {selector.Resource}", nameof(selector));
        }

        var set = kind == "limits" ? container.Resources?.Limits : container.Resources?.Requests;
        decimal value;
        if (set?.TryGetValue(name, out var quantity) == true && quantity is not null)
        {
            value = quantity.ToDecimal();
        }
        else if (kind == "limits" && nodeAllocatable.TryGetValue(name, out var allocatable))
        {
            value = allocatable.ToDecimal();
        }
        else
        {
            value = 0;
        }

        // The API server defaults an omitted divisor to "0", which means 1 (as upstream's kubelet reads it).
        var divisor = selector.Divisor?.ToDecimal() is { } given and not 0m ? given : 1m;
        if (divisor < 0)
        {
            throw new ArgumentException($"invalid divisor for {selector.Resource}: {selector.Divisor}", nameof(selector));
        }

        // CPU is counted in millicores first, so a divisor of "1m" or "1" both come out whole.
        var units = name == "cpu"
            ? Math.Ceiling(Math.Ceiling(value * 1000m) / Math.Ceiling(divisor * 1000m))
            : Math.Ceiling(Math.Ceiling(value) / Math.Ceiling(divisor));
        return units.ToString("0", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Labels or annotations as a downwardAPI file holds them: one <c>key="value"</c> line per entry,
    /// keys sorted, values quoted as Go's <c>%q</c> quotes them, no trailing newline.
    /// </summary>
    public static string FormatMap(IDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return "";
        }

        return string.Join("\n", map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={GoQuote(kv.Value)}"));
    }

    /// <summary>A double-quoted string with Go's escapes: <c>\"</c>, <c>\\</c>, <c>\n</c> and friends, <c>\x..</c>/<c>\u....</c> for the unprintable.</summary>
    public static string GoQuote(string value)
    {
        var output = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\a': output.Append("\\a"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case '\v': output.Append("\\v"); break;
                default:
                    if (IsPrintable(rune))
                    {
                        output.Append(rune.ToString());
                    }
                    else if (rune.Value < 0x80)
                    {
                        output.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    }
                    else if (rune.Value < 0x10000)
                    {
                        output.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
                    }
                    else
                    {
                        output.Append(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}");
                    }

                    break;
            }
        }

        return output.Append('"').ToString();
    }

    private static bool IsPrintable(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }

        // Go's unicode.IsPrint: letters, marks, numbers, punctuation and symbols (no other spaces).
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or
                UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or
                UnicodeCategory.ParagraphSeparator => false,
            _ => true,
        };
    }

    private static bool TrySubscript(string fieldPath, string prefix, out string key)
    {
        key = "";
        if (fieldPath.Length > prefix.Length + 4 && fieldPath.StartsWith(prefix + "['", StringComparison.Ordinal) && fieldPath.EndsWith("']", StringComparison.Ordinal))
        {
            key = fieldPath[(prefix.Length + 2)..^2];
            return true;
        }

        return false;
    }
}
