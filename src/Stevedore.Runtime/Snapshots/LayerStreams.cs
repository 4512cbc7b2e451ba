using System.Diagnostics;
using System.IO.Compression;

namespace Stevedore.Runtime.Snapshots;

/// <summary>How a layer blob is compressed.</summary>
public enum LayerCompression
{
    /// <summary>A plain tar.</summary>
    None,
    /// <summary>gzip (magic 1f 8b).</summary>
    Gzip,
    /// <summary>zstd (magic 28 b5 2f fd).</summary>
    Zstd,
}

/// <summary>Detects layer compression from magic bytes and opens the uncompressed tar stream.</summary>
public static class LayerStreams
{
    /// <summary>Classifies the first bytes of a blob.</summary>
    public static LayerCompression Detect(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => LayerCompression.Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => LayerCompression.Zstd,
        _ => LayerCompression.None,
    };

    /// <summary>Reads the first bytes of a seekable stream, classifies them and rewinds.</summary>
    public static async Task<LayerCompression> DetectAsync(Stream seekable, CancellationToken cancellationToken)
    {
        var head = new byte[4];
        var n = await seekable.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        seekable.Position = 0;
        return Detect(head.AsSpan(0, n));
    }

    /// <summary>Opens the uncompressed tar content of a seekable layer blob.</summary>
    public static async Task<Stream> OpenUncompressedAsync(Stream seekable, CancellationToken cancellationToken)
    {
        switch (await DetectAsync(seekable, cancellationToken))
        {
            case LayerCompression.Gzip:
                return new GZipStream(seekable, CompressionMode.Decompress);
            case LayerCompression.Zstd:
                return OpenZstd(seekable);
            default:
                return seekable;
        }
    }

    /// <summary>.NET has no zstd decoder; Debian's zstd binary does the work through a pipe.</summary>
    private static Stream OpenZstd(Stream compressed)
    {
        var start = new ProcessStartInfo("zstd", ["-d", "-c", "-q"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new EngineException(EngineErrorKind.Runtime, "zstd layers need the zstd program (Debian package zstd)", ex);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await compressed.CopyToAsync(process.StandardInput.BaseStream);
            }
            catch (IOException)
            {
                // The reader stopped early; the process exit reports the failure.
            }
            finally
            {
                process.StandardInput.Close();
                await compressed.DisposeAsync();
            }
        });
        return process.StandardOutput.BaseStream;
    }
}
