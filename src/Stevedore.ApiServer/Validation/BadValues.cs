using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Validation;

/// <summary>A bad value that is already rendered, for Go literals such as <c>[]string{"a"}</c>.</summary>
public sealed record RenderedValue(string Text);

/// <summary>
/// Renders a bad value the way upstream's field errors print it with Go formatting: strings
/// quoted with <c>%q</c>, numbers and booleans bare, string maps as <c>map[string]string{...}</c>.
/// </summary>
public static class BadValues
{
    public static string Render(object? value) => value switch
    {
        null => "null",
        RenderedValue rendered => rendered.Text,
        string s => Quote(s),
        bool b => b ? "true" : "false",
        int or long or short or uint or ulong => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        JsonNode node => RenderNode(node),
        _ => Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static string RenderNode(JsonNode node)
    {
        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
                return Quote(node.GetValue<string>());
            case JsonValueKind.Number:
            case JsonValueKind.True:
            case JsonValueKind.False:
                return node.ToJsonString();
            case JsonValueKind.Object when node.AsObject().All(p => p.Value?.GetValueKind() == JsonValueKind.String):
                return StringMap(node.AsObject().Select(p => (p.Key, p.Value!.GetValue<string>())));
            default:
                return node.ToJsonString();
        }
    }

    /// <summary>Go's <c>%#v</c> of a <c>map[string]string</c>: keys sorted, entries quoted.</summary>
    public static string StringMap(IEnumerable<(string Key, string Value)> entries)
    {
        var parts = entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{Quote(e.Key)}:{Quote(e.Value)}");
        return "map[string]string{" + string.Join(", ", parts) + "}";
    }

    /// <summary>Go's <c>strconv.Quote</c>: double quotes, backslash escapes for quotes and control characters.</summary>
    public static string Quote(string s)
    {
        var builder = new StringBuilder(s.Length + 2).Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    }
                    else if (Rune.IsControl(rune))
                    {
                        builder.Append(rune.Value > 0xFFFF
                            ? string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}")
                            : string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}"));
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
