using System.Runtime.Versioning;

namespace Stevedore.Kubelet.Volumes;

/// <summary>The hostPath volume's type check (upstream <c>checkType</c>): create what the *OrCreate types may create, then verify the kind.</summary>
[SupportedOSPlatform("linux")]
internal static class HostPathTypes
{
    /// <summary>Why <paramref name="path"/> does not satisfy <paramref name="type"/>, or null; creates a missing directory or file for the *OrCreate types.</summary>
    public static string? Check(string path, string? type)
    {
        var kind = LinuxFiles.KindOf(path);
        switch (type ?? "")
        {
            case "":
                return null;
            case "DirectoryOrCreate":
                if (kind == FileKind.Missing)
                {
                    Directory.CreateDirectory(path, (UnixFileMode)0x1ED);
                    return null;
                }

                goto case "Directory";
            case "Directory":
                return kind == FileKind.Directory ? null : $"hostPath type check failed: {path} is not a directory";
            case "FileOrCreate":
                if (kind == FileKind.Missing)
                {
                    try
                    {
                        using var created = new FileStream(path, new FileStreamOptions
                        {
                            Mode = FileMode.OpenOrCreate,
                            Access = FileAccess.ReadWrite,
                            UnixCreateMode = (UnixFileMode)0x1A4,
                        });
                        return null;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        return $"open {path}: {ex.Message}";
                    }
                }

                goto case "File";
            case "File":
                return kind == FileKind.File ? null : $"hostPath type check failed: {path} is not a file";
            case "Socket":
                return kind == FileKind.Socket ? null : $"hostPath type check failed: {path} is not a socket file";
            case "CharDevice":
                return kind == FileKind.CharacterDevice ? null : $"hostPath type check failed: {path} is not a character device";
            case "BlockDevice":
                return kind == FileKind.BlockDevice ? null : $"hostPath type check failed: {path} is not a block device";
            default:
                return $"{type} is an invalid volume type";
        }
    }
}
