using System.Runtime.InteropServices;

namespace Stevedore.Runtime.Native;

/// <summary>
/// Turns the current process into a detached one, as <c>setsid PROGRAM &lt;/dev/null &gt;&gt;LOG 2&gt;&amp;1</c>
/// would, without the shell and <c>setsid</c> processes: the engine starts a shim directly and the shim
/// detaches itself first thing (two fewer exec()s per container; see bench/README.md, "Pods").
/// </summary>
internal static partial class Daemon
{
    private const int ORdOnly = 0;
    private const int OWrOnly = 1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    private const int OCloExec = 0x80000;
    private const int ModeRwRR = 0b110_100_100; // 0644

    /// <summary>
    /// A session of its own (no controlling terminal: the terminal's hang-up and Ctrl+C no longer reach this
    /// process), stdin from <c>/dev/null</c>, stdout and stderr appended to <paramref name="logPath"/>.
    /// </summary>
    public static void Detach(string logPath)
    {
        // EPERM means this process already leads a process group (started from a shell's job control):
        // it keeps that group, which is as detached as a shell-started program gets.
        _ = SetSid();
        var devNull = Open("/dev/null", ORdOnly | OCloExec, 0);
        Libc.Check(devNull, "open /dev/null");
        var log = Open(logPath, OWrOnly | OCreat | OAppend | OCloExec, ModeRwRR);
        Libc.Check(log, "open " + logPath);

        // dup2 clears close-on-exec on the copies: runc and the container's launcher inherit them.
        Libc.Check(Dup2(devNull, 0), "dup2 stdin");
        Libc.Check(Dup2(log, 1), "dup2 stdout");
        Libc.Check(Dup2(log, 2), "dup2 stderr");
        _ = Close(devNull);
        _ = Close(log);
    }

    [LibraryImport("libc", EntryPoint = "setsid", SetLastError = true)]
    private static partial int SetSid();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
