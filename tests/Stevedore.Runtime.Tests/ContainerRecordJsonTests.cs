using System.Text;
using System.Text.Json;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.Tests;

/// <summary>
/// container.json is written by the engine and by shims of other builds (native or managed): the
/// source-generated format must be the reflection format the engine wrote before, byte for byte.
/// </summary>
public sealed class ContainerRecordJsonTests
{
    private static ContainerRecord FullRecord() => new()
    {
        Id = "0123456789abcdef0123456789abcdef",
        Name = "web-1",
        Image = "busybox:1.36",
        ImageId = "sha256:aa",
        LayerChainIds = ["sha256:bb", "sha256:cc"],
        Args = ["sh", "-c", "echo \"hi\" ü"],
        Options = new ContainerOptions
        {
            Image = "busybox",
            Name = "web-1",
            Entrypoint = [],
            Command = ["sleep", "1"],
            Env = ["A=1"],
            WorkingDir = "/w",
            User = "33:34",
            Tty = true,
            OpenStdin = true,
            StdinOnce = true,
            MemoryBytes = 64L << 20,
            Cpus = 0.5,
            CpuShares = 512,
            PidsLimit = 50,
            ReadOnlyRootfs = true,
            Network = "ns:/run/netns/x",
            DnsServers = ["10.0.0.10"],
            DnsSearches = ["svc.cluster.local"],
            DnsOptions = ["ndots:5"],
            Binds = ["/a:/b:ro"],
            CapAdd = ["NET_ADMIN"],
            CapDrop = ["ALL"],
            Ulimits = ["nofile=1024:1024"],
            Labels = new Dictionary<string, string> { ["io.kubernetes.pod.name"] = "web", ["z"] = "" },
            AutoRemove = true,
        },
        Created = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero),
        Status = ContainerStatus.Exited,
        Pid = 0,
        ExitCode = 137,
        OomKilled = true,
        Error = "runc: boom",
        StartedAt = new DateTimeOffset(2026, 11, 24, 10, 0, 1, 500, TimeSpan.Zero),
        FinishedAt = null,
        SupervisorPid = 4242,
    };

    [Fact]
    public void Serialize_SourceGenerated_MatchesTheReflectionFormat()
    {
        var record = FullRecord();

        var generated = JsonSerializer.SerializeToUtf8Bytes(record, ContainerRecordJson.Default.ContainerRecord);
        var reflection = JsonSerializer.SerializeToUtf8Bytes(record, JsonFile.Options);

        Assert.Equal(Encoding.UTF8.GetString(reflection), Encoding.UTF8.GetString(generated));
    }

    [Fact]
    public void Deserialize_ReflectionWrittenRecord_ReadsEveryField()
    {
        var written = JsonSerializer.SerializeToUtf8Bytes(FullRecord(), JsonFile.Options);

        var read = JsonSerializer.Deserialize(written, ContainerRecordJson.Default.ContainerRecord)!;

        Assert.Equal(Encoding.UTF8.GetString(written), Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(read, JsonFile.Options)));
        Assert.Equal(["io.kubernetes.pod.name", "z"], read.Options.Labels.Keys.Order());
        Assert.Equal(ContainerStatus.Exited, read.Status);
        Assert.Equal(137, read.ExitCode);
        Assert.Null(read.FinishedAt);
    }
}
