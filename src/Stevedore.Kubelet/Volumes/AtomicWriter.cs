using System.Globalization;
using System.Security.Cryptography;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Writes a volume's files so a reader never sees a mix of old and new (upstream's atomic writer):
/// the payload goes into a fresh <c>..TIMESTAMP</c> directory, the <c>..data</c> symlink is swapped to
/// it with rename(2), and each user-visible top-level name is a symlink <c>NAME → ..data/NAME</c>.
/// Nothing is written when the payload equals what <c>..data</c> holds.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class AtomicWriter(string targetDirectory, TimeProvider time)
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1ED; // 0755

    /// <summary>Makes the volume hold exactly <paramref name="payload"/>; true when anything on disk changed.</summary>
    /// <param name="groupId">When set (the pod's fsGroup), every written file and directory is group-owned by it.</param>
    public bool Write(IReadOnlyDictionary<string, FileProjection> payload, int? groupId = null)
    {
        Directory.CreateDirectory(targetDirectory);
        var dataLink = Path.Combine(targetDirectory, AtomicWriterPlan.DataDirName);
        var oldDataDir = CurrentDataDirectory(dataLink);
        var current = oldDataDir is null ? null : ReadPayload(Path.Combine(targetDirectory, oldDataDir));
        var presentNames = Directory.EnumerateFileSystemEntries(targetDirectory).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith("..", StringComparison.Ordinal)).ToList();
        var expectedNames = payload.Keys.Select(AtomicWriterPlan.TopLevelName).Distinct(StringComparer.Ordinal);
        var missing = expectedNames.Where(n => !IsVisibleLink(n)).ToList();
        var plan = AtomicWriterPlan.For(payload, current, presentNames, missing);
        if (plan.IsNoop)
        {
            return false;
        }

        if (plan.WriteNewData)
        {
            var newDataDir = CreateTimestampedDirectory();
            foreach (var (path, file) in payload)
            {
                WriteFile(Path.Combine(targetDirectory, newDataDir), AtomicWriterPlan.Normalize(path), file, groupId);
            }

            if (groupId is { } gid)
            {
                LinuxFiles.LChown(Path.Combine(targetDirectory, newDataDir), -1, gid);
            }

            var newLink = Path.Combine(targetDirectory, AtomicWriterPlan.NewDataDirName);
            DeleteIfPresent(newLink);
            File.CreateSymbolicLink(newLink, newDataDir);
            LinuxFiles.Rename(newLink, dataLink);
        }

        foreach (var name in plan.VisibleNames)
        {
            var temporary = Path.Combine(targetDirectory, ".." + name + ".tmp");
            DeleteIfPresent(temporary);
            File.CreateSymbolicLink(temporary, AtomicWriterPlan.DataDirName + "/" + name);
            if (Directory.Exists(Path.Combine(targetDirectory, name)) && LinuxFiles.KindOf(Path.Combine(targetDirectory, name), followSymlink: false) == FileKind.Directory)
            {
                // A real directory where a link belongs (left by something else): rename cannot replace it.
                Directory.Delete(Path.Combine(targetDirectory, name), recursive: true);
            }

            LinuxFiles.Rename(temporary, Path.Combine(targetDirectory, name));
        }

        foreach (var name in plan.StaleNames)
        {
            var path = Path.Combine(targetDirectory, name);
            if (LinuxFiles.KindOf(path, followSymlink: false) == FileKind.Symlink)
            {
                File.Delete(path);
            }
        }

        if (plan.WriteNewData)
        {
            RemoveOldDataDirectories();
        }

        return true;
    }

    /// <summary>The files <c>..data</c> points at now, by normalised relative path; null when there is no <c>..data</c>.</summary>
    public IReadOnlyDictionary<string, FileProjection>? ReadCurrent()
    {
        var dir = CurrentDataDirectory(Path.Combine(targetDirectory, AtomicWriterPlan.DataDirName));
        return dir is null ? null : ReadPayload(Path.Combine(targetDirectory, dir));
    }

    private string? CurrentDataDirectory(string dataLink)
    {
        if (LinuxFiles.KindOf(dataLink, followSymlink: false) != FileKind.Symlink)
        {
            return null;
        }

        var target = new FileInfo(dataLink).LinkTarget;
        // Only a sibling "..TIMESTAMP" directory is ours; anything else is treated as absent and replaced.
        return target is not null && !target.Contains('/', StringComparison.Ordinal) && target.StartsWith("..", StringComparison.Ordinal) &&
            Directory.Exists(Path.Combine(targetDirectory, target)) ? target : null;
    }

    private bool IsVisibleLink(string name)
    {
        var path = Path.Combine(targetDirectory, name);
        return LinuxFiles.KindOf(path, followSymlink: false) == FileKind.Symlink &&
            new FileInfo(path).LinkTarget == AtomicWriterPlan.DataDirName + "/" + name;
    }

    private static Dictionary<string, FileProjection> ReadPayload(string dataDirectory)
    {
        var files = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dataDirectory, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            var relative = Path.GetRelativePath(dataDirectory, file);
            files[relative] = new FileProjection(File.ReadAllBytes(file), (int)File.GetUnixFileMode(file) & 0xFFF);
        }

        return files;
    }

    private string CreateTimestampedDirectory()
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyy_MM_dd_HH_mm_ss", CultureInfo.InvariantCulture);
        for (var attempt = 0; ; attempt++)
        {
            var name = $"..{stamp}.{RandomNumberGenerator.GetInt32(1_000_000_000):D9}";
            var path = Path.Combine(targetDirectory, name);
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path, DirectoryMode);
                File.SetUnixFileMode(path, DirectoryMode);
                return name;
            }

            if (attempt > 16)
            {
                throw new IOException($"cannot create a new data directory in {targetDirectory}");
            }
        }
    }

    private static void WriteFile(string dataDirectory, string relativePath, FileProjection file, int? groupId)
    {
        var path = Path.Combine(dataDirectory, relativePath);
        var parent = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(parent))
        {
            Directory.CreateDirectory(parent, DirectoryMode);
            for (var dir = parent; dir.Length > dataDirectory.Length; dir = Path.GetDirectoryName(dir)!)
            {
                File.SetUnixFileMode(dir, DirectoryMode);
                if (groupId is { } g)
                {
                    LinuxFiles.LChown(dir, -1, g);
                }
            }
        }

        var mode = (UnixFileMode)(file.Mode & 0xFFF);
        using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            stream.Write(file.Data);
        }

        if (groupId is { } gid)
        {
            LinuxFiles.LChown(path, -1, gid);
        }

        // The create mode went through the umask; set the exact bits asked for.
        File.SetUnixFileMode(path, mode);
    }

    private void RemoveOldDataDirectories()
    {
        var current = CurrentDataDirectory(Path.Combine(targetDirectory, AtomicWriterPlan.DataDirName));
        foreach (var dir in Directory.EnumerateDirectories(targetDirectory, "..*"))
        {
            var name = Path.GetFileName(dir);
            if (name != current && LinuxFiles.KindOf(dir, followSymlink: false) == FileKind.Directory && name.Length > 2 && char.IsAsciiDigit(name[2]))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static void DeleteIfPresent(string path)
    {
        if (LinuxFiles.KindOf(path, followSymlink: false) != FileKind.Missing)
        {
            File.Delete(path);
        }
    }
}
