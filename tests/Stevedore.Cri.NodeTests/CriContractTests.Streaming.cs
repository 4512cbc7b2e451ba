using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Grpc.Core;
using Stevedore.Cri.Streaming;
using Stevedore.Cri.Streaming.PortForward;
using Stevedore.Cri.Streaming.RemoteCommand;
using Stevedore.Cri.V1;

namespace Stevedore.Cri.NodeTests;

/// <summary>
/// Streaming: Exec, Attach and PortForward hand out URLs on the runtime's streaming server, which
/// speaks SPDY/3.1 (and WebSocket) as the kubelet's clients do. Run against Stevedore and against
/// containerd's streaming server (upstream's Go code), which keeps the client honest.
/// </summary>
public abstract partial class CriContractTests
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(60);

    [NodeFact]
    public async Task Exec_WithoutTtyOverSpdy_CarriesStdinStdoutStderrAndTheExitCode()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "exec-spdy", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.ExecAsync(new ExecRequest
        {
            ContainerId = pod.ContainerId,
            Cmd = { "sh", "-c", "cat; echo to-stderr >&2; exit 7" },
            Stdin = true,
            Stdout = true,
            Stderr = true,
        })).Url;
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();

        var status = await RemoteCommandClient.RunSpdyAsync(http, new Uri(url), HttpMethod.Post, new RemoteCommandOptions(true, true, true, false),
            new MemoryStream("hello through spdy\n"u8.ToArray()), stdout, stderr, null, CancellationToken.None).WaitAsync(StreamTimeout);

        Assert.Equal(7, status.ExitCode);
        Assert.Equal("hello through spdy\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("to-stderr\n", Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [NodeFact]
    public async Task Exec_LargeInputAndOutput_ArriveWhole()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "exec-large", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "sh", "-c", "cat | sha256sum; head -c 3000000 /dev/zero" }, Stdin = true, Stdout = true })).Url;
        var input = new byte[5_000_000];
        new Random(5).NextBytes(input);
        var stdout = new MemoryStream();

        var status = await RemoteCommandClient.RunSpdyAsync(http, new Uri(url), HttpMethod.Post, new RemoteCommandOptions(true, true, false, false),
            new MemoryStream(input), stdout, null, null, CancellationToken.None).WaitAsync(StreamTimeout);

        Assert.True(status.Success, status.Message);
        var output = stdout.ToArray();
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input));
        Assert.StartsWith(hash, Encoding.ASCII.GetString(output, 0, 64 + 4), StringComparison.Ordinal);
        Assert.Equal(3_000_000, output.Length - output.AsSpan().IndexOf((byte)'\n') - 1);
    }

    [NodeFact]
    public async Task Exec_WithTty_MergesOutputAndFollowsResizes()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "exec-tty", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.ExecAsync(new ExecRequest
        {
            ContainerId = pod.ContainerId,
            Cmd = { "sh", "-c", "tty; until [ \"$(stty size)\" = '24 80' ]; do sleep 0.1; done; echo first-size; until [ \"$(stty size)\" = '30 100' ]; do sleep 0.1; done; echo second-size >&2" },
            Stdout = true,
            Tty = true,
        })).Url;
        var sizes = Channel.CreateUnbounded<TerminalSize>();
        sizes.Writer.TryWrite(new TerminalSize(80, 24));
        var stdout = new WatchedStream();

        var session = RemoteCommandClient.RunSpdyAsync(http, new Uri(url), HttpMethod.Post, new RemoteCommandOptions(false, true, false, true),
            null, stdout, null, sizes.Reader.ReadAllAsync(), CancellationToken.None);
        await stdout.WaitForAsync("first-size").WaitAsync(StreamTimeout);
        sizes.Writer.TryWrite(new TerminalSize(100, 30));
        var status = await session.WaitAsync(StreamTimeout);

        Assert.True(status.Success, status.Message);
        Assert.Matches("^/dev/pts/[0-9]+\r?\n", stdout.Text);
        Assert.Contains("second-size", stdout.Text, StringComparison.Ordinal);
    }

    [NodeFact]
    public async Task Exec_OverWebSocketV4_CarriesOutputAndExitCode()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "exec-ws", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "sh", "-c", "echo out; echo err >&2; exit 3" }, Stdout = true, Stderr = true })).Url;
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();

        var status = await RemoteCommandClient.RunWebSocketAsync(http, new Uri(url), new RemoteCommandOptions(false, true, true, false),
            null, stdout, stderr, null, CancellationToken.None, StreamProtocols.V4).WaitAsync(StreamTimeout);

        Assert.Equal(3, status.ExitCode);
        Assert.Equal("out\n", Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("err\n", Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [NodeFact]
    public async Task ExecUrl_UsedTwice_IsRefusedTheSecondTime()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "exec-once", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "true" }, Stdout = true })).Url;
        var first = await RemoteCommandClient.RunSpdyAsync(http, new Uri(url), HttpMethod.Post, new RemoteCommandOptions(false, true, false, false),
            null, Stream.Null, null, null, CancellationToken.None).WaitAsync(StreamTimeout);
        Assert.True(first.Success);

        var second = await Assert.ThrowsAsync<StreamUpgradeException>(() => RemoteCommandClient.RunSpdyAsync(http, new Uri(url), HttpMethod.Post,
            new RemoteCommandOptions(false, true, false, false), null, Stream.Null, null, null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
    }

    [NodeFact]
    public async Task Exec_BadRequests_AreRefusedWithCriCodes()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "exec-bad", "exec sleep 3600");

        var noStreams = await Assert.ThrowsAsync<RpcException>(() => pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "true" } }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noStreams.StatusCode);
        var ttyAndStderr = await Assert.ThrowsAsync<RpcException>(() => pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = pod.ContainerId, Cmd = { "true" }, Stderr = true, Tty = true }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ttyAndStderr.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => pod.Cri.Runtime.ExecAsync(new ExecRequest { ContainerId = "0123456789abcdef0123", Cmd = { "true" }, Stdout = true }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [NodeFact]
    public async Task Attach_StdinOnceContainer_EchoesInputAndEndsWhenInputCloses()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "attach", "while read line; do echo \"got $line\"; done; echo stdin-closed", stdin: true, stdinOnce: true);
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.AttachAsync(new AttachRequest { ContainerId = pod.ContainerId, Stdin = true, Stdout = true, Stderr = true })).Url;
        var input = Channel.CreateUnbounded<byte[]>();
        var stdout = new WatchedStream();

        var session = RemoteCommandClient.RunSpdyAsync(http, new Uri(url), HttpMethod.Post, new RemoteCommandOptions(true, true, true, false),
            new ChannelReadStream(input.Reader), stdout, Stream.Null, null, CancellationToken.None);
        input.Writer.TryWrite("ping\n"u8.ToArray());
        await stdout.WaitForAsync("got ping").WaitAsync(StreamTimeout);
        input.Writer.TryWrite("pong\n"u8.ToArray());
        await stdout.WaitForAsync("got pong").WaitAsync(StreamTimeout);
        input.Writer.TryComplete();
        var status = await session.WaitAsync(StreamTimeout);

        Assert.True(status.Success, status.Message);
        await stdout.WaitForAsync("stdin-closed").WaitAsync(StreamTimeout);
    }

    [NodeFact]
    public async Task Attach_TtyContainer_ResizesItsTerminalAndLeavesItRunningOnDetach()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "attach-tty",
            "until [ \"$(stty size)\" = '24 80' ]; do sleep 0.1; done; echo attached-size-ok; exec sleep 3600", stdin: true, tty: true);
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.AttachAsync(new AttachRequest { ContainerId = pod.ContainerId, Stdout = true, Tty = true })).Url;
        var sizes = Channel.CreateUnbounded<TerminalSize>();
        sizes.Writer.TryWrite(new TerminalSize(80, 24));
        var stdout = new WatchedStream();
        using var detach = new CancellationTokenSource();

        var session = RemoteCommandClient.RunSpdyAsync(http, new Uri(url), HttpMethod.Post, new RemoteCommandOptions(false, true, false, true),
            null, stdout, null, sizes.Reader.ReadAllAsync(), detach.Token);
        await stdout.WaitForAsync("attached-size-ok").WaitAsync(StreamTimeout);
        await detach.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.WaitAsync(StreamTimeout));
        await Task.Delay(500);
        var status = (await pod.Cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = pod.ContainerId })).Status;
        Assert.Equal(ContainerState.ContainerRunning, status.State);
    }

    [NodeFact]
    public async Task PortForward_ToAServerInThePod_CarriesBytesBothWays()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "forward", "exec nc -ll -p 8080 -e /bin/cat");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod.SandboxId, Port = { 8080 } })).Url;
        await using var session = await PortForwardSession.ConnectSpdyAsync(http, new Uri(url), HttpMethod.Post, CancellationToken.None).WaitAsync(StreamTimeout);

        // nc may not listen yet: retry the first connection until it answers.
        string echoed = "";
        for (var attempt = 0; attempt < 100 && echoed.Length == 0; attempt++)
        {
            var connection = await session.OpenAsync(8080, CancellationToken.None).WaitAsync(StreamTimeout);
            await connection.Data.WriteAsync("echo me\n"u8.ToArray());
            await connection.Data.CloseWriteAsync();
            using var reader = new StreamReader(connection.Data);
            echoed = await reader.ReadToEndAsync().WaitAsync(StreamTimeout);
            if (echoed.Length == 0)
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal("echo me\n", echoed);
        var second = await session.OpenAsync(8080, CancellationToken.None).WaitAsync(StreamTimeout);
        await second.Data.WriteAsync("again\n"u8.ToArray());
        await second.Data.CloseWriteAsync();
        Assert.Equal("again\n", await new StreamReader(second.Data).ReadToEndAsync().WaitAsync(StreamTimeout));
    }

    [NodeFact]
    public async Task PortForward_NothingListening_ReportsTheErrorOnTheErrorStream()
    {
        await using var pod = await StreamingPod.StartAsync(fixture, "forward-refused", "exec sleep 3600");
        using var http = new HttpMessageInvoker(new SocketsHttpHandler());
        var url = (await pod.Cri.Runtime.PortForwardAsync(new PortForwardRequest { PodSandboxId = pod.SandboxId, Port = { 9 } })).Url;
        await using var session = await PortForwardSession.ConnectSpdyAsync(http, new Uri(url), HttpMethod.Post, CancellationToken.None).WaitAsync(StreamTimeout);

        var connection = await session.OpenAsync(9, CancellationToken.None).WaitAsync(StreamTimeout);
        var error = await connection.Error.WaitAsync(StreamTimeout);

        Assert.Contains("connection refused", error, StringComparison.Ordinal);
        Assert.Contains("9", error, StringComparison.Ordinal);
    }

    /// <summary>A stream that collects what is written and lets a test wait for some text to appear.</summary>
    protected sealed class WatchedStream : Stream
    {
        private readonly MemoryStream _buffer = new();
        private readonly Lock _lock = new();
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (Encoding.UTF8.GetString(_buffer.ToArray()).Contains(text, StringComparison.Ordinal))
                    {
                        return;
                    }

                    changed = _changed.Task;
                }

                await changed;
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                _buffer.Write(buffer, offset, count);
                _changed.TrySetResult();
                _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
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

    /// <summary>Reads what a test writes into a channel, ending when the channel completes.</summary>
    protected sealed class ChannelReadStream(ChannelReader<byte[]> chunks) : Stream
    {
        private ReadOnlyMemory<byte> _current;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_current.IsEmpty)
            {
                if (!await chunks.WaitToReadAsync(cancellationToken))
                {
                    return 0;
                }

                chunks.TryRead(out var next);
                _current = next;
            }

            var n = Math.Min(buffer.Length, _current.Length);
            _current[..n].CopyTo(buffer);
            _current = _current[n..];
            return n;
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

    /// <summary>
    /// A sandbox with one running busybox container (running <c>sh -c SCRIPT</c>), removed on dispose. Its PID
    /// namespace options are the kubelet's: one per container, or one for the pod with <c>shareProcessNamespace</c>.
    /// </summary>
    protected sealed class StreamingPod : IAsyncDisposable
    {
        private StreamingPod(CriClient cri, string sandboxId, string containerId)
        {
            Cri = cri;
            SandboxId = sandboxId;
            ContainerId = containerId;
        }

        public CriClient Cri { get; }

        public string SandboxId { get; }

        public string ContainerId { get; }

        public static async Task<StreamingPod> StartAsync(
            ICriFixture fixture, string name, string script, bool stdin = false, bool stdinOnce = false, bool tty = false, bool shareProcessNamespace = false,
            [CallerMemberName] string test = "")
        {
            var cri = new CriClient(fixture.SocketPath);
            var uid = Guid.NewGuid().ToString();
            var pidMode = shareProcessNamespace ? NamespaceMode.Pod : NamespaceMode.Container;
            var sandboxConfig = new PodSandboxConfig
            {
                Metadata = new PodSandboxMetadata { Name = name, Namespace = "streaming", Uid = uid },
                Hostname = name,
                LogDirectory = Path.Combine(fixture.ScratchDir, "pods", uid),
                Labels = { ["test"] = test.Length > 63 ? test[..63] : test },
                Linux = new LinuxPodSandboxConfig { SecurityContext = new LinuxSandboxSecurityContext { NamespaceOptions = new NamespaceOption { Pid = pidMode } } },
            };
            var sandboxId = (await cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = sandboxConfig })).PodSandboxId;
            try
            {
                var config = new ContainerConfig
                {
                    Metadata = new ContainerMetadata { Name = "main" },
                    Image = new ImageSpec { Image = Busybox },
                    Command = { "sh", "-c", script },
                    LogPath = "main/0.log",
                    Stdin = stdin,
                    StdinOnce = stdinOnce,
                    Tty = tty,
                    Linux = new LinuxContainerConfig { SecurityContext = new LinuxContainerSecurityContext { NamespaceOptions = new NamespaceOption { Pid = pidMode } } },
                };
                var containerId = (await cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig })).ContainerId;
                await cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = containerId });
                return new StreamingPod(cri, sandboxId, containerId);
            }
            catch
            {
                await RemoveAsync(cri, sandboxId);
                cri.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await RemoveAsync(Cri, SandboxId);
            Cri.Dispose();
        }

        private static async Task RemoveAsync(CriClient cri, string sandboxId)
        {
            await cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandboxId });
            await cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandboxId });
        }
    }
}
