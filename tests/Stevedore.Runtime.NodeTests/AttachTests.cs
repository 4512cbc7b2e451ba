using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.NodeTests;

/// <summary>Attach and terminal sizes: through the supervisor's attach socket, in this process and across a detached shim.</summary>
public sealed class AttachTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Attach_StdinOnceContainer_FeedsStdinAndEndsWhenTheContainerExits(bool withShim)
    {
        await using var t = new TestEngine(withShim);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions
        {
            Image = "busybox",
            OpenStdin = true,
            StdinOnce = true,
            Command = ["sh", "-c", "while read line; do echo \"got $line\"; echo \"err $line\" >&2; done; echo input-closed"],
        }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();

        await t.Engine.AttachAsync(created.Id, new MemoryStream("one\ntwo\n"u8.ToArray()), stdout, stderr, null, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal("got one\ngot two\ninput-closed\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("err one\nerr two\n", Encoding.UTF8.GetString(stderr.ToArray()));
        var exited = await t.Engine.WaitAsync(created.Id, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(0, exited.ExitCode);
    }

    [RootFact]
    public async Task Attach_TwoClients_BothSeeTheOutputAndDetachingLeavesTheContainerRunning()
    {
        await using var t = new TestEngine(withShim: true);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions
        {
            Image = "busybox",
            OpenStdin = true,
            Command = ["sh", "-c", "while read line; do echo \"echo $line\"; done"],
        }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        using var firstGone = new CancellationTokenSource();
        using var secondGone = new CancellationTokenSource();
        var firstOut = new WatchedStream();
        var secondOut = new WatchedStream();
        var input = Channel.CreateUnbounded<byte[]>();

        var first = t.Engine.AttachAsync(created.Id, new ChannelStream(input.Reader), firstOut, null, null, firstGone.Token);
        var second = t.Engine.AttachAsync(created.Id, null, secondOut, null, null, secondGone.Token);
        // Attached clients see output written after they attached: keep writing until both have seen some.
        for (var i = 0; !(firstOut.Text.Contains("echo ping", StringComparison.Ordinal) && secondOut.Text.Contains("echo ping", StringComparison.Ordinal)); i++)
        {
            Assert.True(i < 600, "the attached clients never saw the output");
            input.Writer.TryWrite("ping\n"u8.ToArray());
            await Task.Delay(100);
        }

        await firstGone.CancelAsync();
        await secondGone.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(Timeout));
        Assert.Equal(ContainerStatus.Running, (await t.Engine.InspectContainerAsync(created.Id, CancellationToken.None)).Status);
    }

    [RootFact]
    public async Task Attach_TtyContainer_ResizesItsTerminal()
    {
        await using var t = new TestEngine(withShim: true);
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions
        {
            Image = "busybox",
            Tty = true,
            OpenStdin = true,
            Command = ["sh", "-c", "until [ \"$(stty size)\" = '33 111' ]; do sleep 0.1; done; echo resized"],
        }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        var stdout = new MemoryStream();

        await t.Engine.AttachAsync(created.Id, null, stdout, null, Sizes(new TerminalSize(111, 33)), CancellationToken.None).WaitAsync(Timeout);

        Assert.Contains("resized", Encoding.UTF8.GetString(stdout.ToArray()), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Exec_WithTty_FollowsTerminalSizes()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sleep", "3600"] }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        var stdout = new MemoryStream();

        var code = await t.Engine.ExecAsync(created.Id, new ExecOptions
        {
            Args = ["sh", "-c", "until [ \"$(stty size)\" = '50 160' ]; do sleep 0.1; done; stty size"],
            Tty = true,
            TerminalSizes = Sizes(new TerminalSize(160, 50)),
        }, null, stdout, null, CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(0, code);
        Assert.Contains("50 160", Encoding.UTF8.GetString(stdout.ToArray()), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Exec_Cancelled_KillsTheProcessInTheContainer()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sleep", "3600"] }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => t.Engine.ExecAsync(created.Id, new ExecOptions { Args = ["sleep", "4242"] }, null, Stream.Null, Stream.Null, cancel.Token));

        var processes = new MemoryStream();
        await t.Engine.ExecAsync(created.Id, new ExecOptions { Args = ["ps"] }, null, processes, null, CancellationToken.None);
        Assert.DoesNotContain("sleep 4242", Encoding.UTF8.GetString(processes.ToArray()), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Attach_StoppedContainer_IsAConflict()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["true"] }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<EngineException>(() => t.Engine.AttachAsync(created.Id, null, Stream.Null, null, null, CancellationToken.None));

        Assert.Equal(EngineErrorKind.Conflict, error.Kind);
    }

    private static async IAsyncEnumerable<TerminalSize> Sizes(TerminalSize size, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return size;
        await Task.Delay(Timeout, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private sealed class WatchedStream : MemoryStream
    {
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return Encoding.UTF8.GetString(ToArray());
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ChannelStream(ChannelReader<byte[]> chunks) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!await chunks.WaitToReadAsync(cancellationToken) || !chunks.TryRead(out var chunk))
            {
                return 0;
            }

            chunk.CopyTo(buffer);
            return chunk.Length;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
