using System.Globalization;
using System.Text;

namespace Stevedore.Kubelet.Server.Logs;

/// <summary>
/// One line of a CRI container log file: <c>&lt;RFC3339Nano time&gt; &lt;stdout|stderr&gt; &lt;F|P&gt; &lt;content&gt;</c>,
/// where P marks a piece of a longer line (no newline follows it in the output) and F a line's end.
/// The content is kept as bytes: a container may write anything.
/// </summary>
public sealed record CriLogEntry(DateTimeOffset Time, string Stream, bool Partial, byte[] Content)
{
    /// <summary>Parses one line of the file (without its newline); null when it is not in the CRI format.</summary>
    public static CriLogEntry? Parse(ReadOnlySpan<byte> line)
    {
        var first = line.IndexOf((byte)' ');
        if (first <= 0)
        {
            return null;
        }

        var rest = line[(first + 1)..];
        var second = rest.IndexOf((byte)' ');
        if (second <= 0)
        {
            return null;
        }

        var stream = Encoding.ASCII.GetString(rest[..second]);
        if (stream is not ("stdout" or "stderr"))
        {
            return null;
        }

        rest = rest[(second + 1)..];
        // The tag may be followed by ":"-separated future flags; only P (partial) matters, F ends a line.
        var tagEnd = rest.IndexOf((byte)' ');
        var tag = tagEnd < 0 ? rest : rest[..tagEnd];
        if (tag.IsEmpty || tag[0] is not ((byte)'F' or (byte)'P'))
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(Encoding.ASCII.GetString(line[..first]), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return null;
        }

        var content = tagEnd < 0 ? [] : rest[(tagEnd + 1)..].ToArray();
        return new CriLogEntry(time, stream, tag[0] == (byte)'P', content);
    }

    /// <summary>
    /// A timestamp as the kubelet prints it with <c>timestamps=true</c>: RFC 3339 with exactly nine
    /// fraction digits, in UTC (Go's RFC3339NanoFixed).
    /// </summary>
    public static string FormatTimestamp(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var nanos = (utc.Ticks % TimeSpan.TicksPerSecond) * 100;
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + nanos.ToString("D9", CultureInfo.InvariantCulture) + "Z";
    }
}
