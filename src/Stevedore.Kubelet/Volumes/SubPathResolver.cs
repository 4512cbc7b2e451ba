using System.Runtime.Versioning;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Finds where a subPath really is inside a volume, following symlinks one element at a time and
/// refusing any step that leaves the volume, and creates it as a directory when it does not exist yet
/// (as upstream does). The answer contains no symlinks, so <see cref="LinuxFiles.OpenBeneath"/> can pin it.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SubPathResolver
{
    private const int MaxSymlinks = 40;

    /// <summary>The symlink-free absolute form of <paramref name="path"/> (the volume root itself may sit behind symlinks).</summary>
    public static string Canonical(string path) => Walk("/", path.TrimStart('/'), containWithin: null, create: false);

    /// <summary>The resolved path of <paramref name="subPath"/> beneath <paramref name="root"/> (canonical).</summary>
    /// <exception cref="IOException">The subPath leaves the volume through a symlink or "..", or cannot be created.</exception>
    public static string Resolve(string root, string subPath) => Walk(root, subPath, containWithin: root, create: true);

    private static string Walk(string start, string relative, string? containWithin, bool create)
    {
        var pending = new LinkedList<string>(VolumePathRules.Elements(relative));
        var current = start.TrimEnd('/');
        if (current.Length == 0)
        {
            current = "/";
        }

        var hops = 0;
        while (pending.First is { } first)
        {
            var element = first.Value;
            pending.RemoveFirst();
            if (element == "..")
            {
                current = current == "/" ? "/" : Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            var next = current == "/" ? "/" + element : current + "/" + element;
            var kind = LinuxFiles.KindOf(next, followSymlink: false);
            if (kind == FileKind.Missing)
            {
                if (!create)
                {
                    throw new IOException($"{next} does not exist");
                }

                // Never create anything outside the volume, wherever a symlink pointed the walk.
                EnsureWithin(containWithin, next, relative);
                Directory.CreateDirectory(next, (UnixFileMode)0x1ED);
                kind = FileKind.Directory;
            }

            if (kind == FileKind.Symlink)
            {
                if (++hops > MaxSymlinks)
                {
                    throw new IOException($"too many levels of symbolic links resolving {relative}");
                }

                var target = new FileInfo(next).LinkTarget ?? "";
                if (target.StartsWith('/'))
                {
                    current = "/";
                }

                foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").Reverse())
                {
                    pending.AddFirst(part);
                }

                continue;
            }

            if (pending.Count > 0 && kind != FileKind.Directory)
            {
                throw new IOException($"{next} is not a directory");
            }

            current = next;
        }

        // Symlinks may pass through other places (an absolute target restarts from "/"); where the walk ends must be inside.
        EnsureWithin(containWithin, current, relative);
        return current;
    }

    private static void EnsureWithin(string? root, string path, string relative)
    {
        if (root is not null && !VolumePathRules.IsWithin(root, path))
        {
            throw new IOException($"subPath {relative} resolves to {path}, outside the volume {root}");
        }
    }
}
