namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// What <see cref="AtomicWriter"/> must do to turn a volume's current files into a new payload, decided
/// without touching the disk: whether a new <c>..TIMESTAMP</c> directory is needed, which user-visible
/// top-level names must exist as symlinks into <c>..data</c>, and which stale ones to remove.
/// </summary>
public sealed record AtomicWriterPlan(bool WriteNewData, IReadOnlyList<string> VisibleNames, IReadOnlyList<string> StaleNames)
{
    public const string DataDirName = "..data";
    public const string NewDataDirName = "..data_tmp";

    /// <summary>Whether the plan changes anything on disk.</summary>
    public bool IsNoop => !WriteNewData && StaleNames.Count == 0 && VisibleNames.Count == 0;

    /// <summary>
    /// The plan for <paramref name="payload"/> (relative path → file) given the files now in <c>..data</c>
    /// (<paramref name="current"/>, null when there is none yet) and the user-visible names now in the
    /// volume (<paramref name="presentNames"/>: every entry not starting with <c>..</c>).
    /// </summary>
    /// <param name="missingVisibleNames">Names that should be visible but whose symlink is absent or wrong.</param>
    /// <exception cref="ArgumentException">A payload path is unsafe (see <see cref="VolumePathRules.FilePathError"/>) or a path is both a file and a directory.</exception>
    public static AtomicWriterPlan For(IReadOnlyDictionary<string, FileProjection> payload, IReadOnlyDictionary<string, FileProjection>? current,
        IReadOnlyCollection<string> presentNames, IReadOnlyCollection<string> missingVisibleNames)
    {
        Validate(payload);
        var visible = payload.Keys.Select(TopLevelName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var write = current is null || !SameContent(payload, current);
        var stale = presentNames.Where(n => !visible.Contains(n, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var toLink = write ? visible : [.. visible.Where(missingVisibleNames.Contains)];
        return new AtomicWriterPlan(write, toLink, stale);
    }

    /// <summary>The first element of a payload path: what appears at the volume's top level.</summary>
    public static string TopLevelName(string path) => VolumePathRules.Elements(path)[0];

    /// <summary>The normalised form of every payload path, so "a//b" and "a/b" are the same file.</summary>
    public static string Normalize(string path) => string.Join("/", VolumePathRules.Elements(path));

    private static void Validate(IReadOnlyDictionary<string, FileProjection> payload)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in payload.Keys)
        {
            if (VolumePathRules.FilePathError(path) is { } error)
            {
                throw new ArgumentException(error, nameof(payload));
            }

            if (!files.Add(Normalize(path)))
            {
                throw new ArgumentException($"invalid payload: duplicate path {path}", nameof(payload));
            }
        }

        foreach (var file in files)
        {
            // "a" and "a/b" cannot both be files: "a" would have to be a directory.
            var elements = file.Split('/');
            for (var i = 1; i < elements.Length; i++)
            {
                var parent = string.Join("/", elements[..i]);
                if (files.Contains(parent))
                {
                    throw new ArgumentException($"invalid payload: {parent} is both a file and a directory", nameof(payload));
                }
            }
        }
    }

    private static bool SameContent(IReadOnlyDictionary<string, FileProjection> payload, IReadOnlyDictionary<string, FileProjection> current)
    {
        if (payload.Count != current.Count)
        {
            return false;
        }

        foreach (var (path, file) in payload)
        {
            if (!current.TryGetValue(Normalize(path), out var existing) || !existing.ContentEquals(file))
            {
                return false;
            }
        }

        return true;
    }
}
