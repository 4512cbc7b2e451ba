using System.Globalization;

namespace Stevedore.Kubelet.Logs;

/// <summary>
/// What one rotation of a container's log does to the files beside it, decided from their names alone:
/// <see cref="Remove"/> first (leftovers of an interrupted compression, and the oldest rotated files so
/// that after this rotation at most MaxFiles remain, the current one included), then <see cref="Compress"/>
/// (every older rotated file still plain), then the current log is renamed to <see cref="RotateTo"/>,
/// which stays uncompressed until the next rotation so a reader or the runtime can finish with it.
/// </summary>
public sealed record LogRotationPlan(IReadOnlyList<string> Remove, IReadOnlyList<string> Compress, string RotateTo)
{
    /// <summary>The suffix of compressed rotated files.</summary>
    public const string CompressedSuffix = ".gz";

    /// <summary>The suffix of a compression in progress.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>The rotated file's suffix after <c>&lt;log&gt;.</c>: upstream's YYYYMMDD-hhmmss (in UTC here).</summary>
    public const string TimestampFormat = "yyyyMMdd-HHmmss";

    /// <summary>
    /// The plan for rotating <paramref name="logPath"/> now, given the paths of the files in its folder (only
    /// <c>&lt;log&gt;.*</c> ones count); null when a file of this second's name exists already (a second
    /// rotation within one second waits for the next round rather than overwrite it).
    /// </summary>
    public static LogRotationPlan? For(string logPath, IEnumerable<string> files, int maxFiles, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFiles, 2);
        var prefix = logPath + ".";
        var rotated = files.Where(f => f.StartsWith(prefix, StringComparison.Ordinal) && f.Length > prefix.Length)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var rotateTo = prefix + now.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);
        if (rotated.Contains(rotateTo, StringComparer.Ordinal) || rotated.Contains(rotateTo + CompressedSuffix, StringComparer.Ordinal))
        {
            return null;
        }

        var names = rotated.ToHashSet(StringComparer.Ordinal);
        var remove = new List<string>();
        var kept = new List<string>();
        foreach (var file in rotated)
        {
            // A temporary file is an interrupted compression; a plain file whose .gz exists was compressed
            // but not yet deleted.
            var unused = file.EndsWith(TemporarySuffix, StringComparison.Ordinal)
                || (!file.EndsWith(CompressedSuffix, StringComparison.Ordinal) && names.Contains(file + CompressedSuffix));
            (unused ? remove : kept).Add(file);
        }

        // Timestamps sort as text, so ordinal order is oldest first. After the rename there are the
        // current file and the newly rotated one, so the older ones may number MaxFiles - 2.
        kept.Sort(StringComparer.Ordinal);
        var excess = Math.Max(0, kept.Count - (maxFiles - 2));
        remove.AddRange(kept.Take(excess));
        var compress = kept.Skip(excess).Where(f => !f.EndsWith(CompressedSuffix, StringComparison.Ordinal)).ToList();
        return new LogRotationPlan(remove, compress, rotateTo);
    }
}
