using System.Text;

namespace Stevedore.Runtime.Containers;

/// <summary>
/// Copies a container's stdout and stderr into one CRI-format log file, line by line, as they arrive.
/// <see cref="ReopenAsync"/> starts a new file at the same path after the old one was renamed away
/// (log rotation by the kubelet).
/// </summary>
public sealed class CriLogWriter(string path, TimeProvider time) : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private FileStream _file = Open(path);

    /// <summary>Copies <paramref name="source"/> until it ends, tagging lines with <paramref name="stream"/>; optionally echoes raw bytes to <paramref name="echo"/>.</summary>
    public async Task CopyAsync(Stream source, string stream, Stream? echo, CancellationToken cancellationToken)
    {
        var buffer = new byte[32 * 1024];
        var pending = Array.Empty<byte>();
        int n;
        while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (echo is not null)
            {
                await echo.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                await echo.FlushAsync(cancellationToken);
            }

            var combined = new byte[pending.Length + n];
            pending.CopyTo(combined, 0);
            buffer.AsSpan(0, n).CopyTo(combined.AsSpan(pending.Length));
            var (lines, rest) = CriLogLine.Split(combined, stream, time.GetUtcNow());
            pending = rest;
            await WriteAsync(lines, cancellationToken);
        }

        if (pending.Length > 0)
        {
            // The stream ended mid-line: what there is becomes the final line.
            await WriteAsync([new CriLogLine(time.GetUtcNow(), stream, false, Encoding.UTF8.GetString(pending))], cancellationToken);
        }
    }

    private async Task WriteAsync(List<CriLogLine> lines, CancellationToken cancellationToken)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l.Format())));
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await _file.WriteAsync(bytes, cancellationToken);
            await _file.FlushAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Writes from now on to a file opened afresh at the path (created when it was renamed away). The old
    /// file is closed only after the new one exists, and no write runs in between: a reader that sees the
    /// new file and then drains the old one has every line exactly once.
    /// </summary>
    public async Task ReopenAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        FileStream old;
        try
        {
            old = _file;
            _file = Open(path);
        }
        finally
        {
            _lock.Release();
        }

        await old.DisposeAsync();
    }

    private static FileStream Open(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        _lock.Dispose();
    }
}
