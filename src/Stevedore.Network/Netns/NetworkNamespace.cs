namespace Stevedore.Network.Netns;

/// <summary>
/// Named, persistent network namespaces: a new namespace bind-mounted onto a file (as <c>ip netns add</c>
/// and containerd's <c>cni-&lt;uuid&gt;</c> do), so it outlives every process in it and a restarted
/// runtime finds it again by path. In <c>/run/netns</c> (the default) they show up in <c>ip netns</c>.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>Where <c>ip netns</c> keeps its namespaces.</summary>
    public const string DefaultDir = "/run/netns";

    private static readonly HashSet<string> SharedDirs = [];
    private static readonly Lock SharedDirsLock = new();

    /// <summary>Creates a new, empty network namespace at <c>&lt;dir&gt;/&lt;name&gt;</c> and returns its path.</summary>
    /// <exception cref="IOException">The name is taken or the kernel refused (not root?).</exception>
    public static string Create(string dir, string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"invalid network namespace name \"{name}\"");
        }

        Directory.CreateDirectory(dir);
        EnsureSharedMount(dir);
        var path = Path.Combine(dir, name);
        try
        {
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
            }
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new IOException($"network namespace {path} already exists", ex);
        }

        Exception? failure = null;
        // unshare() moves only the calling thread; a thread of our own is moved, pins the new namespace
        // with a bind mount, moves back and ends, so no pool thread is ever left in the wrong namespace.
        var thread = new Thread(() => failure = PinNewNamespace(path)) { IsBackground = true, Name = "netns-create" };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            TryDelete(path);
            throw failure as IOException ?? new IOException(failure.Message, failure);
        }

        return path;
    }

    /// <summary>Unmounts and deletes a namespace file (of any kind); nothing happens when it is already gone.</summary>
    /// <exception cref="IOException">The kernel refused the unmount.</exception>
    public static void Remove(string path)
    {
        if (NetnsNative.Umount2(path, NetnsNative.MntDetach) != 0)
        {
            var error = NetnsNative.Error("umount " + path);
            // EINVAL: not a mount point (never pinned, or already unmounted); ENOENT: gone.
            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() is not (NetnsNative.Einval or NetnsNative.Enoent))
            {
                throw error;
            }
        }

        TryDelete(path);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a thread of its own that has entered the namespace at
    /// <paramref name="path"/>, and returns its result. Sockets created inside stay in that namespace
    /// for their whole life, so this is how to listen or connect "inside a pod" (port-forward, tests).
    /// </summary>
    /// <exception cref="IOException">The namespace cannot be entered.</exception>
    public static T Run<T>(string path, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            var original = NetnsNative.Open("/proc/thread-self/ns/net", NetnsNative.ORdOnly | NetnsNative.OCloExec);
            var target = NetnsNative.Open(path, NetnsNative.ORdOnly | NetnsNative.OCloExec);
            try
            {
                if (original < 0 || target < 0)
                {
                    failure = NetnsNative.Error("open network namespace " + path);
                    return;
                }

                if (NetnsNative.SetNs(target, NetnsNative.CloneNewNet) != 0)
                {
                    failure = NetnsNative.Error("enter network namespace " + path);
                    return;
                }

                try
                {
                    result = action();
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
                finally
                {
                    // If this fails the thread still ends right after, taking the namespace with it.
                    NetnsNative.SetNs(original, NetnsNative.CloneNewNet);
                }
            }
            finally
            {
                if (original >= 0)
                {
                    NetnsNative.Close(original);
                }

                if (target >= 0)
                {
                    NetnsNative.Close(target);
                }
            }
        }) { IsBackground = true, Name = "netns-run" };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return result;
    }

    /// <summary>Whether <paramref name="path"/> is a pinned namespace (an nsfs mount), not just a file.</summary>
    public static bool IsPinned(string path) => FileSystemsMountedAt(path).Contains("nsfs");

    private static Exception? PinNewNamespace(string path)
    {
        var original = NetnsNative.Open("/proc/thread-self/ns/net", NetnsNative.ORdOnly | NetnsNative.OCloExec);
        if (original < 0)
        {
            return NetnsNative.Error("open the current network namespace");
        }

        try
        {
            if (NetnsNative.Unshare(NetnsNative.CloneNewNet) != 0)
            {
                return NetnsNative.Error("unshare(CLONE_NEWNET)");
            }

            try
            {
                if (NetnsNative.Mount("/proc/thread-self/ns/net", path, "none", NetnsNative.MsBind, null) != 0)
                {
                    return NetnsNative.Error("bind-mount the new network namespace onto " + path);
                }

                return null;
            }
            finally
            {
                if (NetnsNative.SetNs(original, NetnsNative.CloneNewNet) != 0)
                {
                    // The thread ends right after; nothing else ever runs in it.
                    _ = NetnsNative.Error("setns back");
                }
            }
        }
        finally
        {
            NetnsNative.Close(original);
        }
    }

    /// <summary>
    /// Makes the directory a shared mount (binding it onto itself first when it is not a mount point), as
    /// <c>ip netns</c> does: an unmount here then propagates into mount namespaces that copied it, so a
    /// removed namespace is not kept alive by a stale copy of its mount.
    /// </summary>
    public static void EnsureSharedMount(string dir)
    {
        lock (SharedDirsLock)
        {
            if (SharedDirs.Contains(dir))
            {
                return;
            }

            if (NetnsNative.Mount("none", dir, null, NetnsNative.MsShared | NetnsNative.MsRec, null) != 0)
            {
                if (NetnsNative.Mount(dir, dir, "none", NetnsNative.MsBind | NetnsNative.MsRec, null) != 0)
                {
                    throw NetnsNative.Error("bind-mount " + dir + " onto itself");
                }

                if (NetnsNative.Mount("none", dir, null, NetnsNative.MsShared | NetnsNative.MsRec, null) != 0)
                {
                    throw NetnsNative.Error("make " + dir + " a shared mount");
                }
            }

            SharedDirs.Add(dir);
        }
    }

    /// <summary>
    /// Undoes <see cref="EnsureSharedMount"/> for a directory that holds no namespace any more, so nothing of it
    /// stays mounted (node clean-up). False when there was nothing to undo or the directory is still in use.
    /// </summary>
    /// <exception cref="IOException">The kernel refused the unmount.</exception>
    public static bool ReleaseSharedMount(string dir)
    {
        lock (SharedDirsLock)
        {
            if (!Directory.Exists(dir) || Directory.EnumerateFileSystemEntries(dir).Any() || !FileSystemsMountedAt(dir).Any())
            {
                return false;
            }

            if (NetnsNative.Umount2(dir, NetnsNative.MntDetach) != 0)
            {
                throw NetnsNative.Error("umount " + dir);
            }

            SharedDirs.Remove(dir);
            return true;
        }
    }

    /// <summary>The file system type of each mount at <paramref name="path"/> (<c>/proc/self/mountinfo</c>).</summary>
    private static IEnumerable<string> FileSystemsMountedAt(string path) =>
        File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).Where(f => f.Length > 4 && f[4] == path)
            .Select(f => f.SkipWhile(x => x != "-").Skip(1).FirstOrDefault() ?? "");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
