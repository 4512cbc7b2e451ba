using System.Runtime.InteropServices;

namespace Stevedore.Runtime.Native;

/// <summary>The few libc calls .NET has no API for: device nodes, ownership, xattrs, hard links, mounts.</summary>
internal static partial class Libc
{
    public const uint SIfChr = 0x2000;
    public const uint SIfBlk = 0x6000;
    public const uint SIfIfo = 0x1000;
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int MntDetach = 2;
    public const int Enodata = 61;
    public const int Einval = 22;
    public const int Enoent = 2;

    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkNod(string path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, int uid, int gid);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LSetXattr(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LGetXattr(string path, string name, byte[]? value, nuint size);

    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LListXattr(string path, byte[]? list, nuint size);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fsType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int dirFd, string path, Timespec[] times, int flags);

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LStat(string path, byte[] statBuffer);

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static ulong MakeDev(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);

    /// <summary>Throws an <see cref="IOException"/> carrying errno when <paramref name="result"/> is negative.</summary>
    public static void Check(long result, string what)
    {
        if (result < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
        }
    }

    /// <summary>Reads st_mode and st_rdev of a path without following a final symlink (x86_64/arm64 layouts).</summary>
    public static (uint Mode, ulong Rdev, int Uid, int Gid)? LStatModeAndDevice(string path)
    {
        var buffer = new byte[256];
        if (LStat(path, buffer) < 0)
        {
            return null;
        }

        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            // aarch64 generic layout: dev(8) ino(8) mode(4) nlink(4) uid(4) gid(4) rdev(8)
            return (BitConverter.ToUInt32(buffer, 16), BitConverter.ToUInt64(buffer, 32), BitConverter.ToInt32(buffer, 24), BitConverter.ToInt32(buffer, 28));
        }

        // x86_64 layout: dev(8) ino(8) nlink(8) mode(4) uid(4) gid(4) pad(4) rdev(8)
        return (BitConverter.ToUInt32(buffer, 24), BitConverter.ToUInt64(buffer, 40), BitConverter.ToInt32(buffer, 28), BitConverter.ToInt32(buffer, 32));
    }

    /// <summary>Lists the extended attribute names of a path (not following symlinks).</summary>
    public static IReadOnlyList<string> ListXattrs(string path)
    {
        var size = LListXattr(path, null, 0);
        if (size <= 0)
        {
            return [];
        }

        var buffer = new byte[size];
        size = LListXattr(path, buffer, (nuint)buffer.Length);
        if (size <= 0)
        {
            return [];
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Reads one extended attribute, or null when absent.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var size = LGetXattr(path, name, null, 0);
        if (size < 0)
        {
            return null;
        }

        var buffer = new byte[size];
        size = LGetXattr(path, name, buffer, (nuint)buffer.Length);
        return size < 0 ? null : buffer[..(int)size];
    }
}
