using System.Formats.Tar;
using System.Text;
using Stevedore.Runtime.Native;

namespace Stevedore.Runtime.Snapshots;

/// <summary>
/// Unpacks one layer tar into its own directory, turning OCI whiteouts into overlayfs whiteouts:
/// <c>.wh.name</c> becomes a 0/0 character device and <c>.wh..wh..opq</c> sets <c>trusted.overlay.opaque=y</c>
/// on its directory. Entries are contained: <c>..</c> is refused, absolute names land under the root,
/// and nothing is ever written through a symlink (a parent that is a symlink is refused).
/// </summary>
public static class LayerApplier
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>Applies every entry of <paramref name="tar"/> under <paramref name="root"/>.</summary>
    public static async Task ApplyAsync(Stream tar, string root, CancellationToken cancellationToken)
    {
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        var directoryTimes = new List<(string Path, DateTimeOffset Time)>();
        try
        {
            await using var reader = new TarReader(tar, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                await ApplyEntryAsync(entry, root, directoryTimes, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new EngineException(EngineErrorKind.Corrupt, $"corrupt layer tar: {ex.Message}", ex);
        }

        // Directory times last: creating children would have moved them.
        foreach (var (path, time) in Enumerable.Reverse(directoryTimes))
        {
            SetTimes(path, time);
        }
    }

    private static async Task ApplyEntryAsync(TarEntry entry, string root, List<(string, DateTimeOffset)> directoryTimes, CancellationToken cancellationToken)
    {
        var parts = TarPath.Components(entry.Name);
        if (parts is null)
        {
            if (entry.EntryType == TarEntryType.Directory)
            {
                ApplyMetadata(entry, root);
                directoryTimes.Add((root, entry.ModificationTime));
            }

            return;
        }

        var parent = EnsureParents(root, parts, entry.Name);
        var leaf = parts[^1];

        if (leaf == OpaqueMarker)
        {
            Libc.Check(Libc.LSetXattr(parent, "trusted.overlay.opaque", "y"u8.ToArray(), 1, 0), $"mark {parent} opaque");
            return;
        }

        if (leaf.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            var hidden = Path.Combine(parent, leaf[WhiteoutPrefix.Length..]);
            RemoveExisting(hidden);
            Libc.Check(Libc.MkNod(hidden, Libc.SIfChr, 0), $"whiteout {hidden}");
            return;
        }

        var path = Path.Combine(parent, leaf);
        var existing = Libc.LStatModeAndDevice(path);
        var existingIsDir = existing is { } e && (e.Mode & 0xF000) == 0x4000;
        if (existing is not null && !(existingIsDir && entry.EntryType == TarEntryType.Directory))
        {
            RemoveExisting(path);
        }

        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                Directory.CreateDirectory(path);
                ApplyMetadata(entry, path);
                directoryTimes.Add((path, entry.ModificationTime));
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    if (entry.DataStream is not null)
                    {
                        await entry.DataStream.CopyToAsync(output, cancellationToken);
                    }
                }

                break;
            case TarEntryType.SymbolicLink:
                File.CreateSymbolicLink(path, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                var targetParts = TarPath.Components(entry.LinkName)
                    ?? throw new EngineException(EngineErrorKind.InvalidArgument, $"hard link \"{entry.Name}\" points at the layer root");
                var target = Path.Combine(root, Path.Combine(targetParts));
                EnsureNoSymlinkParents(root, targetParts, entry.LinkName);
                if (Libc.LStatModeAndDevice(target) is not { } t || (t.Mode & 0xF000) == 0xA000)
                {
                    throw new EngineException(EngineErrorKind.InvalidArgument, $"hard link \"{entry.Name}\" points at \"{entry.LinkName}\", which is not a file in this layer");
                }

                Libc.Check(Libc.Link(target, path), $"link {path}");
                return;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                var kind = entry.EntryType switch
                {
                    TarEntryType.CharacterDevice => Libc.SIfChr,
                    TarEntryType.BlockDevice => Libc.SIfBlk,
                    _ => Libc.SIfIfo,
                };
                var posix = (PosixTarEntry)entry;
                var dev = entry.EntryType == TarEntryType.Fifo ? 0 : Libc.MakeDev((uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
                Libc.Check(Libc.MkNod(path, kind | (uint)entry.Mode, dev), $"mknod {path}");
                break;
            default:
                // PAX global headers, GNU long-name records and the like carry no file.
                return;
        }

        ApplyMetadata(entry, path);
        SetTimes(path, entry.ModificationTime);
    }

    private static string EnsureParents(string root, string[] parts, string name)
    {
        var current = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            var stat = Libc.LStatModeAndDevice(current);
            if (stat is null)
            {
                Directory.CreateDirectory(current);
                continue;
            }

            switch (stat.Value.Mode & 0xF000)
            {
                case 0x4000:
                    continue;
                case 0xA000:
                    throw new EngineException(EngineErrorKind.InvalidArgument, $"tar entry \"{name}\" goes through the symlink \"{string.Join('/', parts[..(i + 1)])}\"");
                default:
                    // A later entry turns a file into a directory: the directory wins, as in tar.
                    File.Delete(current);
                    Directory.CreateDirectory(current);
                    break;
            }
        }

        return current;
    }

    private static void EnsureNoSymlinkParents(string root, string[] parts, string name)
    {
        var current = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            current = Path.Combine(current, parts[i]);
            if (Libc.LStatModeAndDevice(current) is { } s && (s.Mode & 0xF000) == 0xA000)
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"hard link target \"{name}\" goes through a symlink");
            }
        }
    }

    private static void RemoveExisting(string path)
    {
        if (Libc.LStatModeAndDevice(path) is not { } stat)
        {
            return;
        }

        if ((stat.Mode & 0xF000) == 0x4000)
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    private static void ApplyMetadata(TarEntry entry, string path)
    {
        Libc.Check(Libc.LChown(path, entry.Uid, entry.Gid), $"chown {path}");
        if (entry is PaxTarEntry pax)
        {
            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
                {
                    // PAX stores the raw bytes as a string; Latin-1 round-trips them.
                    var bytes = Encoding.Latin1.GetBytes(value);
                    Libc.LSetXattr(path, key[XattrPrefix.Length..], bytes, (nuint)bytes.Length, 0);
                }
            }
        }

        if (entry.EntryType != TarEntryType.SymbolicLink)
        {
            // After chown, which clears setuid bits.
            File.SetUnixFileMode(path, entry.Mode);
        }
    }

    private static void SetTimes(string path, DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        var ts = new Libc.Timespec { Seconds = seconds, Nanoseconds = (time.UtcTicks % TimeSpan.TicksPerSecond) * 100 };
        Libc.UtimensAt(Libc.AtFdCwd, path, [ts, ts], Libc.AtSymlinkNoFollow);
    }
}
