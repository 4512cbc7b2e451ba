namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Pure checks of the relative paths a pod names inside a volume (items' paths, subPath) so nothing
/// it writes or mounts can land outside the volume.
/// </summary>
public static class VolumePathRules
{
    /// <summary>
    /// Why <paramref name="path"/> cannot be a file path inside a configMap, secret, downwardAPI or projected
    /// volume, or null: it must be relative, have no <c>..</c> element and not start with <c>..</c>
    /// (the atomic writer's own names, such as <c>..data</c>, start so).
    /// </summary>
    public static string? FilePathError(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "invalid path: must not be empty";
        }

        if (path.Length > 4096)
        {
            return $"invalid path: must not be longer than 4096 characters: {path}";
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return "invalid path: must not contain NUL";
        }

        if (path.StartsWith('/'))
        {
            return $"invalid path: must be relative path: {path}";
        }

        if (path.StartsWith("..", StringComparison.Ordinal))
        {
            return $"invalid path: must not start with '..': {path}";
        }

        if (path.Split('/').Any(element => element == ".."))
        {
            return $"invalid path: must not contain '..': {path}";
        }

        if (path.Split('/').Any(element => element.Length > 255))
        {
            return $"invalid path: an element is longer than 255 characters: {path}";
        }

        return null;
    }

    /// <summary>Why <paramref name="subPath"/> cannot be mounted (absolute, or a <c>..</c> element), or null; empty means the whole volume.</summary>
    public static string? SubPathError(string subPath)
    {
        if (subPath.Contains('\0', StringComparison.Ordinal))
        {
            return "must not contain NUL";
        }

        if (subPath.StartsWith('/'))
        {
            return "must be a relative path";
        }

        if (subPath.Split('/').Any(element => element == ".."))
        {
            return "must not contain '..'";
        }

        return null;
    }

    /// <summary>
    /// The non-empty elements of a relative path, without "." elements: <c>a//b/./c</c> → [a, b, c].
    /// </summary>
    public static IReadOnlyList<string> Elements(string relativePath) =>
        [.. relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(e => e != ".")];

    /// <summary>
    /// Whether <paramref name="candidate"/> is <paramref name="root"/> or lies beneath it, comparing whole
    /// elements of two absolute, normalised paths (<c>/a/bc</c> is not beneath <c>/a/b</c>).
    /// </summary>
    public static bool IsWithin(string root, string candidate)
    {
        var r = root.TrimEnd('/');
        return candidate == r || candidate == root || candidate.StartsWith(r + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// Resolves <paramref name="target"/> of a symlink found at <paramref name="linkDirectory"/> (an absolute
    /// path) and normalises "." and ".." lexically: the directory a walk continues from.
    /// </summary>
    public static string ResolveLinkTarget(string linkDirectory, string target)
    {
        var combined = target.StartsWith('/') ? target : linkDirectory.TrimEnd('/') + "/" + target;
        var stack = new List<string>();
        foreach (var element in combined.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (element == ".")
            {
                continue;
            }

            if (element == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            stack.Add(element);
        }

        return "/" + string.Join("/", stack);
    }
}
