using System.Formats.Tar;
using System.Text;
using Stevedore.Runtime.Native;

namespace Stevedore.Runtime.Snapshots;

/// <summary>
/// Turns an overlay upper directory back into an OCI layer tar: 0/0 character devices become
/// <c>.wh.name</c> entries and opaque directories get a <c>.wh..wh..opq</c> entry. Paths listed in
/// <c>exclude</c> (the init layer's files) are left out.
/// </summary>
public static class LayerDiffer
{
    private static readonly DateTimeOffset WhiteoutTime = DateTimeOffset.UnixEpoch;

    /// <summary>Writes the tar of <paramref name="upper"/> into <paramref name="output"/>.</summary>
    public static async Task WriteAsync(string upper, IReadOnlySet<string> exclude, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await WalkAsync(writer, upper, "", exclude, cancellationToken);
    }

    private static async Task WalkAsync(TarWriter writer, string dir, string relative, IReadOnlySet<string> exclude, CancellationToken cancellationToken)
    {
        var children = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        foreach (var name in children)
        {
            var path = Path.Combine(dir, name!);
            var rel = relative.Length == 0 ? name! : relative + "/" + name;
            if (exclude.Contains(rel))
            {
                continue;
            }

            var stat = Libc.LStatModeAndDevice(path);
            if (stat is not { } s)
            {
                continue;
            }

            var type = s.Mode & 0xF000;
            if (type == 0x2000 && s.Rdev == 0)
            {
                var whiteout = relative.Length == 0 ? ".wh." + name : relative + "/.wh." + name;
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, whiteout) { ModificationTime = WhiteoutTime, Mode = (UnixFileMode)0x1A4 }, cancellationToken);
                continue;
            }

            if (type == 0x4000)
            {
                var entry = new PaxTarEntry(TarEntryType.Directory, rel + "/", XattrsOf(path));
                Fill(entry, path, s);
                await writer.WriteEntryAsync(entry, cancellationToken);
                if (Libc.GetXattr(path, "trusted.overlay.opaque") is [(byte)'y'])
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, rel + "/.wh..wh..opq") { ModificationTime = WhiteoutTime, Mode = (UnixFileMode)0x1A4 }, cancellationToken);
                }

                await WalkAsync(writer, path, rel, exclude, cancellationToken);
                continue;
            }

            if (type == 0xA000)
            {
                var link = new PaxTarEntry(TarEntryType.SymbolicLink, rel, XattrsOf(path)) { LinkName = new FileInfo(path).LinkTarget ?? "" };
                Fill(link, path, s);
                await writer.WriteEntryAsync(link, cancellationToken);
                continue;
            }

            if (type == 0x8000)
            {
                var file = new PaxTarEntry(TarEntryType.RegularFile, rel, XattrsOf(path));
                Fill(file, path, s);
                await using var data = File.OpenRead(path);
                file.DataStream = data;
                await writer.WriteEntryAsync(file, cancellationToken);
                continue;
            }

            var special = type switch { 0x2000 => TarEntryType.CharacterDevice, 0x6000 => TarEntryType.BlockDevice, 0x1000 => TarEntryType.Fifo, _ => (TarEntryType?)null };
            if (special is { } t)
            {
                var node = new PaxTarEntry(t, rel, XattrsOf(path));
                Fill(node, path, s);
                if (t != TarEntryType.Fifo)
                {
                    node.DeviceMajor = (int)(((s.Rdev >> 8) & 0xfff) | ((s.Rdev >> 32) & 0xfffff000));
                    node.DeviceMinor = (int)((s.Rdev & 0xff) | ((s.Rdev >> 12) & 0xffffff00));
                }

                await writer.WriteEntryAsync(node, cancellationToken);
            }
        }
    }

    private static Dictionary<string, string> XattrsOf(string path)
    {
        var result = new Dictionary<string, string>();
        foreach (var name in Libc.ListXattrs(path))
        {
            // overlayfs bookkeeping never belongs in an image.
            if (name.StartsWith("trusted.overlay.", StringComparison.Ordinal))
            {
                continue;
            }

            if (Libc.GetXattr(path, name) is { } value)
            {
                result["SCHILY.xattr." + name] = Encoding.Latin1.GetString(value);
            }
        }

        return result;
    }

    private static void Fill(PaxTarEntry entry, string path, (uint Mode, ulong Rdev, int Uid, int Gid) stat)
    {
        entry.Mode = (UnixFileMode)(stat.Mode & 0xFFF);
        entry.Uid = stat.Uid;
        entry.Gid = stat.Gid;
        entry.ModificationTime = File.GetLastWriteTimeUtc(path);
    }
}
