using System.Runtime.InteropServices;

namespace Stevedore.Network.Netns;

/// <summary>The libc calls behind persistent network namespaces: unshare, setns, mount, umount2.</summary>
internal static partial class NetnsNative
{
    public const int CloneNewNet = 0x40000000;
    public const ulong MsBind = 0x1000;
    public const ulong MsRec = 0x4000;
    public const ulong MsShared = 1 << 20;
    public const int MntDetach = 2;
    public const int ORdOnly = 0;
    public const int OCloExec = 0x80000;
    public const int Einval = 22;
    public const int Enoent = 2;

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string? source, string target, string? fsType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    /// <summary>An <see cref="IOException"/> naming the call and errno.</summary>
    public static IOException Error(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
