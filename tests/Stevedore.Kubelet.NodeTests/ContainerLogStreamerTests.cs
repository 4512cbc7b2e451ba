using System.Text;
using Stevedore.Kubelet.Server.Logs;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>The log streamer over real files (no runtime): follow, rotation, a log link replaced by a copy.</summary>
public sealed class ContainerLogStreamerTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("stevedore-log-streamer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Follow_FileRotated_ContinuesWithTheNewFileFromItsStart()
    {
        var path = Path.Combine(_dir, "0.log");
        await File.WriteAllTextAsync(path, Line("before-rotation"));
        var running = true;
        var output = new WatchedStream();

        var streaming = new ContainerLogStreamer(TimeProvider.System).StreamAsync(path, new ContainerLogOptions { Follow = true }, output, _ => Task.FromResult(running), CancellationToken.None);
        await output.WaitForAsync("before-rotation\n").WaitAsync(Timeout);
        await File.AppendAllTextAsync(path, Line("last-of-old"));
        File.Move(path, path + ".20240101-000000");
        await File.WriteAllTextAsync(path, Line("first-of-new"));
        await output.WaitForAsync("first-of-new\n").WaitAsync(Timeout);
        await File.AppendAllTextAsync(path, Line("second-of-new"));
        await output.WaitForAsync("second-of-new\n").WaitAsync(Timeout);
        running = false;
        await streaming.WaitAsync(Timeout);

        Assert.Equal("before-rotation\nlast-of-old\nfirst-of-new\nsecond-of-new\n", output.Text);
    }

    [Fact]
    public async Task Follow_LogReplacedByACopy_DoesNotRepeatIt()
    {
        var target = Path.Combine(_dir, "engine.log");
        var path = Path.Combine(_dir, "0.log");
        await File.WriteAllTextAsync(target, Line("one") + Line("two"));
        File.CreateSymbolicLink(path, target);
        var running = true;
        var output = new WatchedStream();

        var streaming = new ContainerLogStreamer(TimeProvider.System).StreamAsync(path, new ContainerLogOptions { Follow = true }, output, _ => Task.FromResult(running), CancellationToken.None);
        await output.WaitForAsync("two\n").WaitAsync(Timeout);
        // As the CRI server does when it removes a container: the link becomes a copy of the log.
        File.Delete(path);
        File.Copy(target, path);
        await Task.Delay(ContainerLogStreamer.StateCheckInterval * 3);
        running = false;
        await streaming.WaitAsync(Timeout);

        Assert.Equal("one\ntwo\n", output.Text);
    }

    [Fact]
    public async Task Follow_LineWrittenInPieces_IsPrintedOnceComplete()
    {
        var path = Path.Combine(_dir, "0.log");
        await File.WriteAllTextAsync(path, "");
        var running = true;
        var output = new WatchedStream();

        var streaming = new ContainerLogStreamer(TimeProvider.System).StreamAsync(path, new ContainerLogOptions { Follow = true, Timestamps = true }, output, _ => Task.FromResult(running), CancellationToken.None);
        var line = Line("split-line");
        await File.AppendAllTextAsync(path, line[..20]);
        await Task.Delay(ContainerLogStreamer.PollInterval * 2);
        await File.AppendAllTextAsync(path, line[20..]);
        await output.WaitForAsync("split-line\n").WaitAsync(Timeout);
        running = false;
        await streaming.WaitAsync(Timeout);

        Assert.Equal("2024-01-01T00:00:00.000000001Z split-line\n", output.Text);
    }

    private static string Line(string content) => $"2024-01-01T00:00:00.000000001Z stdout F {content}\n";

    private sealed class WatchedStream : Stream
    {
        private readonly MemoryStream _buffer = new();
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return Encoding.UTF8.GetString(_buffer.ToArray());
                }
            }
        }

        public async Task WaitForAsync(string text)
        {
            while (!Text.Contains(text, StringComparison.Ordinal))
            {
                await Task.Delay(20);
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                _buffer.Write(buffer, offset, count);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
