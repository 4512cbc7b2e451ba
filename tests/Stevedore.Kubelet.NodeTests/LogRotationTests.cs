using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Logs;
using Stevedore.Kubelet.Server.Logs;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>
/// Log rotation against the real runtime: a container writes numbered lines while a log manager with a
/// small size limit rotates its log (rename, CRI ReopenContainerLog, gzip, delete), and a follower
/// (what <c>kubectl logs -f</c> runs) reads across the rotations.
/// </summary>
public abstract partial class LogRotationTests(NodeFixture node)
{
    private const int MaxFiles = 3;
    private static readonly ContainerLogPolicy SmallLogs = new() { MaxSize = 16 * 1024, MaxFiles = MaxFiles };

    [NodeFact]
    public async Task Rotate_ContainerWritingPastMaxSize_RotatesCompressesKeepsMaxFilesAndLosesNoLine()
    {
        var ns = await node.CreateNamespaceAsync();
        // ~100-byte lines, a few hundred a second: 16Ki fills in well under a second.
        var pod = await Pods.CreateAsync(node, Pods.Busybox(ns, "chatty", node.NodeName,
            "i=0; while true; do echo \"line-$i-$(printf '%080d' 0)\"; i=$((i+1)); [ $((i % 20)) = 0 ] && sleep 0.05; done"));
        var running = await Pods.WaitAsync(node, pod, Pods.IsRunningAndReady, "running");
        var id = Pods.Status(running, "main")!.ContainerID.Split("://")[1];
        var logPath = (await node.Cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id })).Status.LogPath;
        var manager = new ContainerLogManager(node.Cri, SmallLogs, TimeProvider.System, NullLogger<ContainerLogManager>.Instance);

        using var followStop = new CancellationTokenSource();
        // The follower writes on its own task; the synchronized wrapper locks the buffer for each write.
        var followed = new MemoryStream();
        var output = Stream.Synchronized(followed);
        await Eventually.TrueAsync(() => Task.FromResult(File.Exists(logPath)), "the log exists");
        var follow = new ContainerLogStreamer(TimeProvider.System).StreamAsync(logPath, new ContainerLogOptions { Follow = true }, output, _ => Task.FromResult(true), followStop.Token);

        var rotations = 0;
        while (rotations < 5)
        {
            // Rotated names carry the second; and a follower looks for a new file once a second, so
            // rotations come slower than that (upstream looks every 10 s).
            await Task.Delay(2500);
            if (await manager.RotateIfNeededAsync(id, CancellationToken.None))
            {
                rotations++;
            }
        }

        var lastRotated = Directory.GetFiles(Path.GetDirectoryName(logPath)!, Path.GetFileName(logPath) + ".*").Order(StringComparer.Ordinal).Last();
        var lastBeforeReopen = Numbers(Encoding.UTF8.GetString(File.ReadAllBytes(lastRotated))).Last();
        // The container keeps writing, into the fresh file.
        await Eventually.TrueAsync(() => Task.FromResult(Numbers(File.ReadAllText(logPath)).Any(n => n > lastBeforeReopen + 50)), "lines in the new file");

        var files = Directory.GetFiles(Path.GetDirectoryName(logPath)!, Path.GetFileName(logPath) + "*").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count <= MaxFiles, "files: " + string.Join(", ", files));
        Assert.Equal(MaxFiles, files.Count);
        var rotated = files.Where(f => f != logPath).ToList();
        Assert.All(rotated, f => Assert.Matches(@"\.log\.\d{8}-\d{6}(\.gz)?$", f));
        Assert.EndsWith(".gz", rotated[0], StringComparison.Ordinal);
        Assert.False(rotated[^1].EndsWith(".gz", StringComparison.Ordinal), "the newest rotated file stays plain");

        // Oldest to newest: every number once, none missing, across the rotated files and the current one.
        var text = new StringBuilder();
        foreach (var file in rotated)
        {
            text.Append(file.EndsWith(".gz", StringComparison.Ordinal) ? Gunzip(file) : File.ReadAllText(file));
        }

        text.Append(File.ReadAllText(logPath));
        AssertContiguous(Numbers(text.ToString()), "files");
        Assert.All(text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Matches(@"^\S+ stdout F line-\d+-0{80}$", l));

        // The follower went through every rotation without losing or repeating a line.
        var upTo = Numbers(File.ReadAllText(logPath)).Last();
        await Eventually.TrueAsync(() => Task.FromResult(FollowedNumbers(followed).LastOrDefault() >= upTo), "the follower catches up");
        await followStop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follow);
        var seen = FollowedNumbers(followed);
        Assert.Equal(0, seen[0]);
        AssertContiguous(seen, "follow");

        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    [NodeFact]
    public async Task ReopenContainerLog_ExitedContainer_Fails()
    {
        var ns = await node.CreateNamespaceAsync();
        var pod = await Pods.CreateAsync(node, Pods.Busybox(ns, "done", node.NodeName, "echo bye", restartPolicy: "Never"));
        var done = await Pods.WaitAsync(node, pod, p => p.Status?.Phase is "Succeeded" or "Failed", "finished");
        var id = Pods.Status(done, "main")!.ContainerID.Split("://")[1];

        var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Cri.Runtime.ReopenContainerLogAsync(new ReopenContainerLogRequest { ContainerId = id }));

        Assert.NotEqual(StatusCode.OK, error.StatusCode);
        Assert.Contains("not running", error.Status.Detail, StringComparison.Ordinal);
        await Pods.DeleteAsync(node, pod, grace: 1);
        await Pods.WaitGoneAsync(node, pod, pod.Metadata.Uid);
    }

    private static List<int> FollowedNumbers(MemoryStream followed)
    {
        lock (followed)
        {
            return Numbers(Encoding.UTF8.GetString(followed.ToArray()));
        }
    }

    private static void AssertContiguous(List<int> numbers, string where)
    {
        Assert.NotEmpty(numbers);
        for (var i = 1; i < numbers.Count; i++)
        {
            Assert.True(numbers[i] == numbers[i - 1] + 1, $"{where}: line-{numbers[i]} follows line-{numbers[i - 1]}");
        }
    }

    private static List<int> Numbers(string text) => [.. LineNumber().Matches(text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    private static string Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"line-(\d+)-")]
    private static partial Regex LineNumber();
}
