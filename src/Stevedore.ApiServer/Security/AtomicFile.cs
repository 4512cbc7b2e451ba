using System.Text;

namespace Stevedore.ApiServer.Security;

/// <summary>
/// Writes secret material so that readers never see a half-written file and the file is never,
/// even briefly, readable by other users: the content goes to a temporary file created with the
/// final mode, which is then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>Owner read/write only (0600): the mode of keys, tokens and kubeconfigs.</summary>
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner only (0700): the mode of folders that hold secrets.</summary>
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> (UTF-8) atomically.</summary>
    public static void WriteAllText(string path, string content, UnixFileMode mode = OwnerReadWrite)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = mode;
            }

            using (var stream = new FileStream(temporary, options))
            {
                var bytes = Encoding.UTF8.GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            // Only left behind when something failed before the rename.
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
