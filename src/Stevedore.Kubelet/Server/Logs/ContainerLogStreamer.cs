namespace Stevedore.Kubelet.Server.Logs;

/// <summary>
/// Streams a CRI log file as <c>kubectl logs</c> shows it: from the tail offset (or the start),
/// entries formatted by <see cref="LogFormatter"/>; with follow, waits for more until the container
/// stops, and moves on to the new file when the log is rotated (renamed away and recreated).
/// </summary>
public sealed class ContainerLogStreamer(TimeProvider time)
{
    /// <summary>How often a follower looks for new bytes.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a follower checks whether the container still runs and whether the file was rotated.</summary>
    public static readonly TimeSpan StateCheckInterval = TimeSpan.FromSeconds(1);

    private const int PrefixCompared = 256;

    /// <summary>
    /// Writes the log at <paramref name="path"/> to <paramref name="output"/>. With follow it returns once
    /// <paramref name="isRunning"/> says the container stopped and the file is drained (or on cancellation).
    /// </summary>
    public async Task StreamAsync(string path, ContainerLogOptions options, Stream output, Func<CancellationToken, Task<bool>> isRunning, CancellationToken cancellationToken)
    {
        var formatter = new LogFormatter(options);
        var file = Open(path);
        FileStream? next = null;
        try
        {
            if (options.TailLines is { } lines)
            {
                file.Position = LogTail.FindStart(file, lines);
            }

            var pending = new List<byte>();
            var buffer = new byte[64 * 1024];
            var lastCheck = time.GetUtcNow();
            var stopping = false;
            while (true)
            {
                var n = await file.ReadAsync(buffer, cancellationToken);
                if (n > 0)
                {
                    if (await WriteLinesAsync(buffer.AsMemory(0, n), pending, formatter, output, cancellationToken))
                    {
                        return;
                    }

                    continue;
                }

                if (next is not null)
                {
                    // The old file is drained (the runtime created the new one only after its last write to
                    // the old): the new one starts from its beginning.
                    await file.DisposeAsync();
                    file = next;
                    next = null;
                    pending.Clear();
                    continue;
                }

                await output.FlushAsync(cancellationToken);
                if (!options.Follow || stopping)
                {
                    return;
                }

                if (time.GetUtcNow() - lastCheck >= StateCheckInterval)
                {
                    lastCheck = time.GetUtcNow();
                    var rotated = Reopen(path, file);
                    if (rotated is not null)
                    {
                        // Lines may have reached the old file between the last read and the rotation: read
                        // to its end once more before moving on.
                        next = rotated;
                        continue;
                    }

                    if (!await isRunning(cancellationToken))
                    {
                        // One more pass picks up what the container wrote just before it stopped.
                        stopping = true;
                        continue;
                    }
                }

                await Task.Delay(PollInterval, time, cancellationToken);
            }
        }
        finally
        {
            await file.DisposeAsync();
            if (next is not null)
            {
                await next.DisposeAsync();
            }
        }
    }

    /// <summary>Formats every complete line in <paramref name="chunk"/>; true when the byte limit is reached.</summary>
    private static async Task<bool> WriteLinesAsync(ReadOnlyMemory<byte> chunk, List<byte> pending, LogFormatter formatter, Stream output, CancellationToken cancellationToken)
    {
        foreach (var line in SplitLines(chunk.Span, pending))
        {
            if (CriLogEntry.Parse(line) is not { } entry)
            {
                continue;
            }

            var bytes = formatter.Format(entry);
            if (bytes.Length > 0)
            {
                await output.WriteAsync(bytes, cancellationToken);
            }

            if (formatter.LimitReached)
            {
                await output.FlushAsync(cancellationToken);
                return true;
            }
        }

        return false;
    }

    /// <summary>The complete lines in <paramref name="pending"/> + <paramref name="chunk"/>; the unfinished rest stays pending.</summary>
    private static List<byte[]> SplitLines(ReadOnlySpan<byte> chunk, List<byte> pending)
    {
        var lines = new List<byte[]>();
        int newline;
        while ((newline = chunk.IndexOf((byte)'\n')) >= 0)
        {
            if (pending.Count > 0)
            {
                pending.AddRange(chunk[..newline]);
                lines.Add([.. pending]);
                pending.Clear();
            }
            else
            {
                lines.Add(chunk[..newline].ToArray());
            }

            chunk = chunk[(newline + 1)..];
        }

        pending.AddRange(chunk);
        return lines;
    }

    private static FileStream Open(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous });

    /// <summary>
    /// The file now at <paramref name="path"/> when it is a new one (rotation); null when it is the
    /// one being read, or a copy of it (the runtime replaces a log link with a copy when it removes
    /// the container), or missing.
    /// </summary>
    private static FileStream? Reopen(string path, FileStream current)
    {
        FileStream candidate;
        try
        {
            candidate = Open(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return null;
        }

        try
        {
            if (candidate.Length >= current.Position && SamePrefix(candidate, current))
            {
                candidate.Dispose();
                return null;
            }

            candidate.Position = 0;
            return candidate;
        }
        catch (IOException)
        {
            candidate.Dispose();
            return null;
        }
    }

    private static bool SamePrefix(FileStream a, FileStream b)
    {
        var position = b.Position;
        var length = (int)Math.Min(PrefixCompared, Math.Min(a.Length, b.Length));
        var left = new byte[length];
        var right = new byte[length];
        a.Position = 0;
        a.ReadExactly(left);
        b.Position = 0;
        b.ReadExactly(right);
        b.Position = position;
        return left.AsSpan().SequenceEqual(right);
    }
}
