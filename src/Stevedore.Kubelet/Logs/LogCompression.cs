using System.IO.Compression;

namespace Stevedore.Kubelet.Logs;

/// <summary>Gzips a rotated log beside itself: <c>file.gz.tmp</c> first, renamed to <c>file.gz</c> once complete, then the plain file goes.</summary>
public static class LogCompression
{
    /// <summary>Replaces <paramref name="path"/> with <c>path.gz</c>; a crash midway leaves the plain file and at most a <c>.tmp</c>.</summary>
    public static void Compress(string path)
    {
        var compressed = path + LogRotationPlan.CompressedSuffix;
        var temporary = compressed + LogRotationPlan.TemporarySuffix;
        try
        {
            using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var target = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            using (var gzip = new GZipStream(target, CompressionLevel.Optimal))
            {
                source.CopyTo(gzip);
            }

            File.Move(temporary, compressed, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        File.Delete(path);
    }
}
