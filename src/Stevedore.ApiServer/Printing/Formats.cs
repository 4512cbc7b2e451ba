using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Stevedore.ApiServer.Printing;

/// <summary>Cell formats shared by many printers, matching upstream's helpers.</summary>
internal static class Formats
{
    public const string None = "<none>";
    public const string Unset = "<unset>";
    public const string Unknown = "<unknown>";

    /// <summary>Labels as <c>k=v,k2=v2</c> in key order, <c>&lt;none&gt;</c> when empty.</summary>
    public static string Labels(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var text = string.Join(",", labels.Select(p => p.Key + "=" + p.Value));
        return text.Length == 0 ? None : text;
    }

    /// <summary>
    /// A LabelSelector in selector syntax (<c>app=web,tier in (a,b),!gone</c>), requirements in key
    /// order; "" for a nil or empty selector; null when the selector is invalid.
    /// </summary>
    public static string? SelectorString(JsonObject? selector)
    {
        if (selector is null)
        {
            return "";
        }
        var requirements = new List<(string Key, string Text)>();
        foreach (var (key, value) in selector.StringMap("matchLabels"))
        {
            requirements.Add((key, key + "=" + value));
        }
        foreach (var expression in selector.Items("matchExpressions"))
        {
            var key = expression.S("key");
            var values = expression.Arr("values")?.Select(v => v?.GetValue<string>() ?? "")
                .Distinct().Order(StringComparer.Ordinal).ToList() ?? [];
            string? text = expression.S("operator") switch
            {
                "In" when values.Count > 0 => $"{key} in ({string.Join(",", values)})",
                "NotIn" when values.Count > 0 => $"{key} notin ({string.Join(",", values)})",
                "Exists" when values.Count == 0 => key,
                "DoesNotExist" when values.Count == 0 => "!" + key,
                _ => null,
            };
            if (text is null)
            {
                return null;
            }
            requirements.Add((key, text));
        }
        return string.Join(",", requirements.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text));
    }

    /// <summary>metav1.FormatLabelSelector: <c>&lt;none&gt;</c> when empty, <c>&lt;error&gt;</c> when invalid.</summary>
    public static string LabelSelector(JsonObject? selector) => SelectorString(selector) switch
    {
        null => "<error>",
        "" => None,
        var s => s,
    };

    /// <summary>Container names and images of a pod spec, each comma-joined.</summary>
    public static (string Names, string Images) Containers(JsonNode? podSpec)
    {
        var containers = podSpec.Items("containers").ToList();
        return (string.Join(",", containers.Select(c => c.S("name"))), string.Join(",", containers.Select(c => c.S("image"))));
    }

    /// <summary>A resource quantity in canonical form ("1024Mi" → "1Gi"); "0" when absent.</summary>
    public static string Quantity(JsonNode? node)
    {
        var raw = node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            _ => null,
        };
        if (string.IsNullOrEmpty(raw))
        {
            return "0";
        }
        try
        {
            return new ResourceQuantity(raw).ToString();
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return raw;
        }
    }

    /// <summary>The "Created At" cell of the default table: RFC 3339 in UTC, Go's zero time when absent.</summary>
    public static string CreatedAt(DateTimeOffset? timestamp) =>
        (timestamp ?? DateTimeOffset.MinValue).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Access modes in upstream's fixed order, deduplicated: <c>RWO,ROX,RWX,RWOP</c>.</summary>
    public static string AccessModes(JsonArray? modes)
    {
        var set = modes?.Select(m => m?.ToString()).ToHashSet() ?? [];
        var parts = new List<string>();
        if (set.Contains("ReadWriteOnce")) { parts.Add("RWO"); }
        if (set.Contains("ReadOnlyMany")) { parts.Add("ROX"); }
        if (set.Contains("ReadWriteMany")) { parts.Add("RWX"); }
        if (set.Contains("ReadWriteOncePod")) { parts.Add("RWOP"); }
        return string.Join(",", parts);
    }

    /// <summary>Up to <paramref name="max"/> items, then "+ N more...", or <c>&lt;unset&gt;</c> when empty.</summary>
    public static string ListWithMore(IReadOnlyList<string> items, int max = 3)
    {
        if (items.Count > max)
        {
            return string.Join(",", items.Take(max)) + $" + {(items.Count - max).ToString(CultureInfo.InvariantCulture)} more...";
        }
        return items.Count == 0 ? Unset : string.Join(",", items);
    }

    /// <summary>Go's strconv formatting of a bool pointer: True / False / &lt;unset&gt;.</summary>
    public static string BoolPointer(bool? value) => value switch
    {
        true => "True",
        false => "False",
        null => Unset,
    };

    /// <summary>Load-balancer ingress points (IP, else hostname), sorted and unique. The server prints wide, so nothing is clipped.</summary>
    public static string LoadBalancerIngress(JsonNode? loadBalancerStatus) =>
        string.Join(",", loadBalancerStatus.Items("ingress")
            .Select(i => i.Str("ip") is { Length: > 0 } ip ? ip : i.S("hostname"))
            .Where(s => s.Length > 0)
            .Distinct()
            .Order(StringComparer.Ordinal));

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
