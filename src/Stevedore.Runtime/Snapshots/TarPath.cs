namespace Stevedore.Runtime.Snapshots;

/// <summary>Normalizes tar entry names so they can never leave the directory they are unpacked into.</summary>
public static class TarPath
{
    /// <summary>
    /// Splits an entry name into clean components: leading <c>/</c> and <c>./</c> are dropped (absolute
    /// names are contained under the root), empty and <c>.</c> components vanish, and any <c>..</c> is refused.
    /// Returns null for the root itself.
    /// </summary>
    public static string[]? Components(string name)
    {
        var parts = name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p != ".")
            .ToArray();
        if (parts.Any(p => p == ".."))
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"tar entry \"{name}\" contains \"..\" and would escape the layer");
        }

        return parts.Length == 0 ? null : parts;
    }
}
