using System.Globalization;
using System.Text;

namespace Stevedore.Kubelet.Server.Logs;

/// <summary>
/// One line of a CRI container log file: <c>&lt;RFC3339Nano time&gt; &lt;stdout|stderr&gt; &lt;F|P&gt; &lt;content&gt;</c>,
/// where P marks a piece of a longer line (no newline follows it in the output) and F a line's end.
/// The content is kept as bytes: a container may write anything. <see cref="Nanoseconds"/> keeps the
/// fraction of the second as written (nine digits), which <see cref="DateTimeOffset"/> cannot hold.
/// </summary>
public sealed record CriLogEntry(DateTimeOffset Time, string Stream, bool Partial, byte[] Content)
{
    /// <summary>The fraction of <see cref="Time"/>'s second in nanoseconds, exactly as the file has it.</summary>
    public int Nanoseconds { get; init; } = (int)(Time.UtcTicks % TimeSpan.TicksPerSecond * 100);

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

        if (!TryParseTime(Encoding.ASCII.GetString(line[..first]), out var time, out var nanoseconds))
        {
            return null;
        }

        var content = tagEnd < 0 ? [] : rest[(tagEnd + 1)..].ToArray();
        return new CriLogEntry(time, stream, tag[0] == (byte)'P', content) { Nanoseconds = nanoseconds };
    }

    /// <summary>Parses an RFC 3339 time with up to nine fraction digits, keeping all of them.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time, out int nanoseconds)
    {
        nanoseconds = 0;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var withoutFraction = text;
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            var digits = text[(dot + 1)..end];
            if (digits.Length is 0 or > 9)
            {
                time = default;
                return false;
            }

            nanoseconds = int.Parse(digits.PadRight(9, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
            withoutFraction = text[..dot] + text[end..];
        }

        if (!DateTimeOffset.TryParse(withoutFraction, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
        {
            return false;
        }

        time = time.AddTicks(nanoseconds / 100);
        return true;
    }

    /// <summary>
    /// A timestamp as the kubelet prints it with <c>timestamps=true</c>: RFC 3339 with exactly nine
    /// fraction digits, in UTC (Go's RFC3339NanoFixed).
    /// </summary>
    public string FormatTimestamp() =>
        Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "." + Nanoseconds.ToString("D9", CultureInfo.InvariantCulture) + "Z";
}
