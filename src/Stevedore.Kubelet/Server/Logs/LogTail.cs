namespace Stevedore.Kubelet.Server.Logs;

/// <summary>Finds where the last N lines of a log file begin, reading backwards from the end.</summary>
public static class LogTail
{
    private const int BlockSize = 16 * 1024;

    /// <summary>
    /// The offset of the first of the last <paramref name="lines"/> lines of <paramref name="file"/>
    /// (a seekable stream); 0 when the file has fewer; its length for 0 lines. A final line without its
    /// newline counts as a line.
    /// </summary>
    public static long FindStart(Stream file, long lines)
    {
        var length = file.Length;
        if (lines <= 0)
        {
            return length;
        }

        var buffer = new byte[BlockSize];
        var position = length;
        long newlinesSeen = 0;
        var skipTrailingNewline = true;
        while (position > 0)
        {
            var size = (int)Math.Min(BlockSize, position);
            position -= size;
            file.Seek(position, SeekOrigin.Begin);
            file.ReadExactly(buffer, 0, size);
            for (var i = size - 1; i >= 0; i--)
            {
                if (buffer[i] != (byte)'\n')
                {
                    skipTrailingNewline = false;
                    continue;
                }

                if (skipTrailingNewline)
                {
                    // The newline that ends the last line does not start a line.
                    skipTrailingNewline = false;
                    continue;
                }

                if (++newlinesSeen == lines)
                {
                    return position + i + 1;
                }
            }
        }

        return 0;
    }
}
