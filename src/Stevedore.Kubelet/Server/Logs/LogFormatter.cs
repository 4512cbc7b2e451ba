using System.Text;

namespace Stevedore.Kubelet.Server.Logs;

/// <summary>
/// Turns log entries into what <c>kubectl logs</c> prints: the content, a newline after a full line
/// (none after a partial one), a timestamp prefix on request, entries before <c>since</c> skipped,
/// and nothing past <c>limitBytes</c>.
/// </summary>
public sealed class LogFormatter(ContainerLogOptions options)
{
    private long _written;

    /// <summary>Whether the byte limit has been reached (nothing more will be written).</summary>
    public bool LimitReached => options.LimitBytes is { } limit && _written >= limit;

    /// <summary>The bytes <paramref name="entry"/> contributes to the output (possibly none).</summary>
    public byte[] Format(CriLogEntry entry)
    {
        if (LimitReached || options.Since is { } since && entry.Time < since)
        {
            return [];
        }

        var prefix = options.Timestamps ? Encoding.ASCII.GetBytes(entry.FormatTimestamp() + " ") : [];
        var output = new byte[prefix.Length + entry.Content.Length + (entry.Partial ? 0 : 1)];
        prefix.CopyTo(output, 0);
        entry.Content.CopyTo(output, prefix.Length);
        if (!entry.Partial)
        {
            output[^1] = (byte)'\n';
        }

        if (options.LimitBytes is { } limit && _written + output.Length > limit)
        {
            output = output[..(int)(limit - _written)];
        }

        _written += output.Length;
        return output;
    }
}
