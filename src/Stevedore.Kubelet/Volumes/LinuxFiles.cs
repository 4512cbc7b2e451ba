using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Stevedore.Kubelet.Volumes;

/// <summary>The kind of filesystem object at a path (from statx's st_mode).</summary>
public enum FileKind
{
    Missing,
    Directory,
    File,
    Symlink,
    Socket,
    CharacterDevice,
    BlockDevice,
    Fifo,
}

/// <summary>The libc calls volumes need and .NET lacks: mount, umount2, renameat, statx, open/openat, chown.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LinuxFiles
{
    public const ulong MsBind = 0x1000;
    public const int MntDetach = 2;
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int OPath = 0x200000;
    private const int ONoFollow = 0x20000;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;
    private const int Ebusy = 16;
    private const int Einval = 22;
    private const int Enoent = 2;

    [DllImport("libc", EntryPoint = "mount", SetLastError = true)]
    private static extern int MountNative([MarshalAs(UnmanagedType.LPUTF8Str)] string source, [MarshalAs(UnmanagedType.LPUTF8Str)] string target,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string? fsType, ulong flags, [MarshalAs(UnmanagedType.LPUTF8Str)] string? data);

    [DllImport("libc", EntryPoint = "umount2", SetLastError = true)]
    private static extern int Umount2Native([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int RenameNative([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatxNative(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static extern int OpenAtNative(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int CloseNative(int fd);

    [DllImport("libc", EntryPoint = "lchown", SetLastError = true)]
    private static extern int LChownNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int uid, int gid);

    public static void Mount(string source, string target, string? fsType, ulong flags, string? data) =>
        Check(MountNative(source, target, fsType, flags, data), $"mount {source} on {target}");

    /// <summary>Unmounts <paramref name="target"/>; a busy mount is detached lazily instead. False when nothing was mounted there.</summary>
    public static bool Unmount(string target)
    {
        if (Umount2Native(target, 0) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is Einval or Enoent)
        {
            return false;
        }

        if (errno == Ebusy)
        {
            Check(Umount2Native(target, MntDetach), $"umount -l {target}");
            return true;
        }

        throw Error(errno, $"umount {target}");
    }

    /// <summary>rename(2): atomically replaces <paramref name="newPath"/>, also when both are symlinks to directories.</summary>
    public static void Rename(string oldPath, string newPath) => Check(RenameNative(oldPath, newPath), $"rename {oldPath} to {newPath}");

    public static void LChown(string path, int uid, int gid) => Check(LChownNative(path, uid, gid), $"chown {path}");

    /// <summary>What is at <paramref name="path"/>, following a final symlink unless <paramref name="followSymlink"/> is false.</summary>
    public static FileKind KindOf(string path, bool followSymlink = true)
    {
        var buffer = new byte[256];
        if (StatxNative(AtFdCwd, path, followSymlink ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            return FileKind.Missing;
        }

        return KindOfMode(buffer);
    }

    private static FileKind KindOfMode(byte[] statx)
    {
        // struct statx is the same on every architecture: stx_mode is the u16 at offset 28.
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(statx.AsSpan(28, 2)) & 0xF000;
        return mode switch
        {
            0x4000 => FileKind.Directory,
            0x8000 => FileKind.File,
            0xA000 => FileKind.Symlink,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            _ => FileKind.Missing,
        };
    }

    /// <summary>The owner and group of <paramref name="path"/> (not following a final symlink), or null when it is missing.</summary>
    public static (int Uid, int Gid)? OwnerOf(string path)
    {
        const uint statxUidGid = 0x8 | 0x10;
        var buffer = new byte[256];
        if (StatxNative(AtFdCwd, path, AtSymlinkNoFollow, statxUidGid, buffer) != 0)
        {
            return null;
        }

        return (BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(20, 4)), BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(24, 4)));
    }

    /// <summary>
    /// Opens <paramref name="relative"/> under the directory <paramref name="root"/> one element at a time
    /// with O_PATH|O_NOFOLLOW, so no element can be a symlink (swapped in or not); the final element is
    /// refused when it is a symlink. Returns an O_PATH descriptor; the caller closes it.
    /// </summary>
    /// <exception cref="IOException">An element is missing or is a symlink.</exception>
    public static int OpenBeneath(string root, IReadOnlyList<string> relative)
    {
        var fd = OpenNative(root, OPath | ODirectory | OCloexec);
        Check(fd, $"open {root}");
        foreach (var element in relative)
        {
            var next = OpenAtNative(fd, element, OPath | ONoFollow | OCloexec);
            var errno = Marshal.GetLastPInvokeError();
            CloseNative(fd);
            if (next < 0)
            {
                throw Error(errno, $"open {element} under {root}");
            }

            fd = next;
            if (KindOfDescriptor(fd) == FileKind.Symlink)
            {
                CloseNative(fd);
                throw new IOException($"{string.Join("/", relative)} under {root} passes through a symlink");
            }
        }

        return fd;
    }

    public static void Close(int fd) => CloseNative(fd);

    /// <summary>The kind of the object an O_PATH descriptor refers to (statx with AT_EMPTY_PATH).</summary>
    public static FileKind KindOfDescriptor(int fd)
    {
        const int atEmptyPath = 0x1000;
        var buffer = new byte[256];
        if (StatxNative(fd, "", atEmptyPath, StatxType, buffer) != 0)
        {
            return FileKind.Missing;
        }

        return KindOfMode(buffer);
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), what);
        }
    }

    private static IOException Error(int errno, string what) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
}
