using System.Globalization;

namespace Stevedore.ApiServer.Services;

/// <summary>
/// The node port range (<c>--service-node-port-range</c>, default 30000-32767), inclusive at both
/// ends. As upstream, a lower band is kept for requested ports: dynamic allocation takes the
/// upper part first.
/// </summary>
public sealed class NodePortRange
{
    public const string Default = "30000-32767";

    private NodePortRange(int first, int last)
    {
        First = first;
        Last = last;
        // Upstream: min(max(16, size/32), 128), none for ranges of 16 ports or fewer.
        var size = last - first + 1;
        StaticBandSize = size <= 16 ? 0 : Math.Clamp(size / 32, 16, 128);
    }

    public int First { get; }

    public int Last { get; }

    public int Size => Last - First + 1;

    /// <summary>Offsets below this are preferred for requested ports and used last by dynamic allocation.</summary>
    public int StaticBandSize { get; }

    /// <summary>Parses <c>first-last</c> or <c>first+count</c> (as upstream's port range flag); otherwise a <see cref="FormatException"/>.</summary>
    public static NodePortRange Parse(string range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var text = range.Trim();
        var separator = text.IndexOfAny(['-', '+']);
        if (separator <= 0 ||
            !int.TryParse(text[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var first) ||
            !int.TryParse(text[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var second))
        {
            throw new FormatException($"invalid port range: {range} (expected e.g. {Default})");
        }

        var last = text[separator] == '+' ? first + second : second;
        if (first < 1 || last > 65535 || last < first)
        {
            throw new FormatException($"invalid port range: {range} (ports must be 1-65535, first <= last)");
        }

        return new NodePortRange(first, last);
    }

    public bool Contains(long port) => port >= First && port <= Last;

    public int At(int offset) => First + offset;

    /// <summary>As upstream prints it in errors: <c>30000-32767</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}
