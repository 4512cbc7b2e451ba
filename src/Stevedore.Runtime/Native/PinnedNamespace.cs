using System.Runtime.InteropServices;

namespace Stevedore.Runtime.Native;

/// <summary>
/// IPC and UTS namespaces that belong to no process: each is created on a thread of its own
/// (<c>unshare</c>), bind-mounted onto a file (as <c>ip netns</c> pins network namespaces, and CRI-O's
/// pinns its pod namespaces), and outlives every process in it until the file is unmounted. Containers
/// join one by path. This is how a pod sandbox without a pause container keeps its namespaces.
/// </summary>
public static partial class PinnedNamespace
{
    private const int CloneNewUts = 0x04000000;
    private const int CloneNewIpc = 0x08000000;
    private const int MsBind = 0x1000;

    /// <summary>
    /// Creates a new IPC namespace at <paramref name="ipcPath"/> and a new UTS namespace whose hostname is
    /// <paramref name="hostname"/> at <paramref name="utsPath"/>; a null path skips that namespace.
    /// Nothing stays behind when it fails.
    /// </summary>
    /// <exception cref="IOException">A file is taken or the kernel refused (not root?).</exception>
    public static void Create(string? ipcPath, string? utsPath, string hostname)
    {
        var pins = new List<(string Path, int Flag, string Kind)>();
        if (ipcPath is not null)
        {
            pins.Add((ipcPath, CloneNewIpc, "ipc"));
        }

        if (utsPath is not null)
        {
            pins.Add((utsPath, CloneNewUts, "uts"));
        }

        if (pins.Count == 0)
        {
            return;
        }

        var created = new List<string>();
        try
        {
            foreach (var (path, _, kind) in pins)
            {
                var dir = Path.GetDirectoryName(path)!;
                Directory.CreateDirectory(dir);
                Stevedore.Network.Netns.NetworkNamespace.EnsureSharedMount(dir);
                try
                {
                    using (new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                    {
                    }
                }
                catch (IOException ex) when (File.Exists(path))
                {
                    throw new IOException($"{kind} namespace {path} already exists", ex);
                }

                created.Add(path);
            }

            Exception? failure = null;
            // unshare() moves only the calling thread. This thread is moved, pins the new namespaces, and
            // ends, taking them with it: no pool thread is ever left in a pod's namespace.
            var thread = new Thread(() => failure = PinNew(pins, hostname)) { IsBackground = true, Name = "ns-pin" };
            thread.Start();
            thread.Join();
            if (failure is not null)
            {
                throw failure as IOException ?? new IOException(failure.Message, failure);
            }
        }
        catch
        {
            foreach (var path in created)
            {
                Remove(path);
            }

            throw;
        }
    }

    /// <summary>Unmounts and deletes a pinned namespace; nothing happens for an empty path or one already gone.</summary>
    /// <exception cref="IOException">The kernel refused the unmount.</exception>
    public static void Remove(string path)
    {
        if (path.Length > 0)
        {
            Stevedore.Network.Netns.NetworkNamespace.Remove(path);
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> still holds a namespace: one <c>statfs</c> (nsfs's magic number), cheap enough
    /// for every sandbox status. A pin's file outlives its mount where <c>/run</c> is not a tmpfs: after a reboot it
    /// is an empty file and the sandbox it belonged to must not look Ready.
    /// </summary>
    public static bool HoldsNamespace(string path)
    {
        // struct statfs on 64-bit Linux: f_type (a long) first; 120 bytes in all.
        var buffer = new byte[128];
        return StatFs(path, buffer) == 0 && BitConverter.ToInt64(buffer, 0) == NsfsMagic;
    }

    private const long NsfsMagic = 0x6e736673;

    [LibraryImport("libc", EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatFs(string path, byte[] buffer);

    /// <summary>
    /// Sets the loopback interface up in the network namespace pinned at <paramref name="netnsPath"/>,
    /// as runc does for a network namespace it creates itself (a pinned one starts with <c>lo</c> down).
    /// </summary>
    /// <exception cref="IOException">The namespace cannot be entered or the kernel refused.</exception>
    public static void SetLoopbackUp(string netnsPath) =>
        Stevedore.Network.Netns.NetworkNamespace.Run(netnsPath, () =>
        {
            const int afInet = 2, sockDgram = 2, siocGifFlags = 0x8913, siocSifFlags = 0x8914, iffUp = 1;
            var fd = Socket(afInet, sockDgram, 0);
            if (fd < 0)
            {
                throw new IOException("socket: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            }

            try
            {
                // struct ifreq: the interface name (16 bytes), then a union whose first member is the flags (short).
                var request = new byte[40];
                "lo"u8.CopyTo(request);
                if (IoCtl(fd, siocGifFlags, request) != 0)
                {
                    throw new IOException("SIOCGIFFLAGS lo: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                }

                var flags = BitConverter.ToInt16(request, 16) | iffUp;
                BitConverter.GetBytes((short)flags).CopyTo(request, 16);
                if (IoCtl(fd, siocSifFlags, request) != 0)
                {
                    throw new IOException("SIOCSIFFLAGS lo: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                }

                return true;
            }
            finally
            {
                Close(fd);
            }
        });

    private static Exception? PinNew(List<(string Path, int Flag, string Kind)> pins, string hostname)
    {
        var flags = pins.Aggregate(0, (all, pin) => all | pin.Flag);
        if (Unshare(flags) != 0)
        {
            return Error("unshare the new " + string.Join(" and ", pins.Select(p => p.Kind)) + " namespaces");
        }

        if ((flags & CloneNewUts) != 0)
        {
            var name = System.Text.Encoding.UTF8.GetBytes(hostname);
            if (SetHostname(name, (nuint)name.Length) != 0)
            {
                return Error($"set the hostname \"{hostname}\"");
            }
        }

        foreach (var (path, _, kind) in pins)
        {
            if (Libc.Mount("/proc/thread-self/ns/" + kind, path, "none", MsBind, null) != 0)
            {
                return Error($"bind-mount the new {kind} namespace onto {path}");
            }
        }

        // The thread ends right after; its namespaces live on only in the mounts.
        return null;
    }

    private static IOException Error(string what) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    private static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "sethostname", SetLastError = true)]
    private static partial int SetHostname(byte[] name, nuint length);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoCtl(int fd, nuint request, byte[] argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
