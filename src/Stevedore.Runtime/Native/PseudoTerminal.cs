using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.Native;

/// <summary>
/// A pseudo-terminal pair. The engine keeps the master; a child process opens the slave by path
/// (<see cref="SlavePath"/>) as its stdio, so runc sees a real terminal and proxies it to the
/// container's own pty.
/// </summary>
internal sealed partial class PseudoTerminal : IDisposable
{
    /// <summary>
    /// The shell script that puts runc (<c>"$@"</c>) on the slave (<c>$0</c>): stdio on the slave, then a
    /// new session with the slave as controlling terminal.
    /// </summary>
    public const string LaunchScript = "exec <\"$0\" >\"$0\" 2>&1; exec setsid -c -w \"$@\"";

    private SafeFileHandle? _slave;

    private const int ORdWr = 2;
    private const int ONoCtty = 0x100;
    private const uint OnlCr = 0x4;
    private const nuint TiocSWinSz = 0x5414;

    private PseudoTerminal(SafeFileHandle master, string slavePath, SafeFileHandle slave)
    {
        Master = new FileStream(master, FileAccess.ReadWrite, 1);
        SlavePath = slavePath;
        _slave = slave;
    }

    /// <summary>The master side: read the terminal's output, write its input.</summary>
    public FileStream Master { get; }

    /// <summary>The slave device path, e.g. <c>/dev/pts/3</c>.</summary>
    public string SlavePath { get; }

    /// <summary>Allocates a new pair.</summary>
    public static PseudoTerminal Open()
    {
        var fd = PosixOpenPt(ORdWr | ONoCtty);
        Libc.Check(fd, "posix_openpt");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        Libc.Check(GrantPt(fd), "grantpt");
        Libc.Check(UnlockPt(fd), "unlockpt");

        var buffer = new byte[128];
        var rc = PtsNameR(fd, buffer, (nuint)buffer.Length);
        if (rc != 0)
        {
            handle.Dispose();
            throw new IOException($"ptsname_r failed (errno {rc})");
        }

        var slavePath = System.Text.Encoding.ASCII.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0));

        // This process holds the slave open until the child is done (CloseSlave): reading the master
        // before the child opened the slave would otherwise end at once, and the terminal settings
        // would reset whenever no one holds it. Raw from the start: runc makes it raw too, but only
        // after the container may have written.
        var slaveFd = OpenPath(slavePath, ORdWr | ONoCtty);
        Libc.Check(slaveFd, "open " + slavePath);
        var slave = new SafeFileHandle(slaveFd, ownsHandle: true);
        var termios = new byte[128];
        Libc.Check(TcGetAttr(slaveFd, termios), "tcgetattr");
        CfMakeRaw(termios);

        // runc's own raw mode turns output processing (OPOST) back on, keeping whatever ONLCR says:
        // clear ONLCR so the inner terminal's line endings pass through unchanged.
        var oflag = BitConverter.ToUInt32(termios, 4) & ~OnlCr;
        BitConverter.TryWriteBytes(termios.AsSpan(4), oflag);
        Libc.Check(TcSetAttr(slaveFd, 0, termios), "tcsetattr");
        return new PseudoTerminal(handle, slavePath, slave);
    }

    /// <summary>The terminal output as a stream that ends (instead of failing) once every slave side is closed.</summary>
    public Stream Output => new MasterReadStream(Master);

    /// <summary>
    /// Sets the terminal's size. The kernel signals SIGWINCH to the terminal's foreground process
    /// group (runc, the session leader here), which resizes the container's own terminal to match.
    /// </summary>
    public void Resize(TerminalSize size)
    {
        // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
        var winsize = new ushort[] { size.Height, size.Width, 0, 0 };
        Libc.Check(IoctlWinsize((int)Master.SafeFileHandle.DangerousGetHandle(), TiocSWinSz, winsize), "ioctl TIOCSWINSZ");
    }

    /// <summary>Lets go of this process's slave descriptor; once the child's are closed too, the output ends.</summary>
    public void CloseSlave()
    {
        _slave?.Dispose();
        _slave = null;
    }

    public void Dispose()
    {
        CloseSlave();
        Master.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    private static partial int PosixOpenPt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    private static partial int GrantPt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    private static partial int UnlockPt(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenPath(string path, int flags);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int optionalActions, byte[] termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlWinsize(int fd, nuint request, ushort[] winsize);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw(byte[] termios);

    [LibraryImport("libc", EntryPoint = "ptsname_r")]
    private static partial int PtsNameR(int fd, byte[] buffer, nuint length);

    private sealed class MasterReadStream(FileStream master) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return master.Read(buffer, offset, count);
            }
            catch (IOException)
            {
                // EIO: the last slave descriptor closed.
                return 0;
            }
        }

        // A pty master does not support async I/O in .NET: block on a pool thread instead.
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.Run(() => Read(buffer, offset, count), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[buffer.Length];
            return new ValueTask<int>(Task.Run(() =>
            {
                var n = Read(array, 0, array.Length);
                array.AsSpan(0, n).CopyTo(buffer.Span);
                return n;
            }, cancellationToken));
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
