using System.Globalization;
using System.Text;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// One line of the CRI log format the kubelet reads: <c>&lt;RFC3339Nano time&gt; &lt;stdout|stderr&gt; &lt;F|P&gt; &lt;content&gt;</c>,
/// where <c>P</c> marks a fragment of a longer line and <c>F</c> the end of a line.
/// </summary>
public sealed record CriLogLine(DateTimeOffset Time, string Stream, bool Partial, string Content)
{
    /// <summary>Go's RFC3339Nano: UTC, fraction with trailing zeros dropped.</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var fraction = (utc.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture) + "00";
        fraction = fraction.TrimEnd('0');
        return utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + "Z";
    }

    /// <summary>The line as written to the log file, with its newline.</summary>
    public string Format() => $"{FormatTime(Time)} {Stream} {(Partial ? 'P' : 'F')} {Content}\n";

    /// <summary>Parses one log file line (without its newline); null when malformed.</summary>
    public static CriLogLine? Parse(string line)
    {
        var first = line.IndexOf(' ', StringComparison.Ordinal);
        if (first < 0)
        {
            return null;
        }

        var second = line.IndexOf(' ', first + 1);
        if (second < 0 || second + 2 > line.Length)
        {
            return null;
        }

        var tag = line[second + 1];
        if (tag is not ('F' or 'P') || second + 2 < line.Length && line[second + 2] != ' ')
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(line[..first], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return null;
        }

        var stream = line[(first + 1)..second];
        if (stream is not ("stdout" or "stderr"))
        {
            return null;
        }

        var content = second + 3 <= line.Length ? line[(second + 3)..] : "";
        return new CriLogLine(time, stream, tag == 'P', content);
    }

    /// <summary>
    /// Splits output bytes into log lines: each newline ends an <c>F</c> line, and runs longer than
    /// <paramref name="maxLine"/> bytes are cut into <c>P</c> fragments. Returns the bytes of an unfinished line.
    /// </summary>
    public static (List<CriLogLine> Lines, byte[] Remainder) Split(ReadOnlySpan<byte> pending, string stream, DateTimeOffset time, int maxLine = 16 * 1024)
    {
        var lines = new List<CriLogLine>();
        while (true)
        {
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0 && newline <= maxLine)
            {
                lines.Add(new CriLogLine(time, stream, false, Encoding.UTF8.GetString(pending[..newline])));
                pending = pending[(newline + 1)..];
                continue;
            }

            if (pending.Length > maxLine)
            {
                lines.Add(new CriLogLine(time, stream, true, Encoding.UTF8.GetString(pending[..maxLine])));
                pending = pending[maxLine..];
                continue;
            }

            return (lines, pending.ToArray());
        }
    }
}
