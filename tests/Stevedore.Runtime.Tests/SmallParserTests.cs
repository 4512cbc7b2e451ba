using System.Text;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Images;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.Tests;

public sealed class SmallParserTests
{
    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\nweb:x:33:34:web:/var/www:/bin/false\nnobody:x:65534:65534::/:/bin/false\n";
    private const string Group = "root:x:0:\nwww:x:34:\ndocker:x:999:web,other\nnogroup:x:65534:\n";

    [Theory]
    [InlineData(null, 0u, 0u)]
    [InlineData("web", 33u, 34u)]
    [InlineData("33", 33u, 34u)]
    [InlineData("1234", 1234u, 1234u)]
    [InlineData("web:docker", 33u, 999u)]
    [InlineData("nobody:7", 65534u, 7u)]
    public void UserResolver_Resolve_UidGidFromFiles(string? user, uint uid, uint gid)
    {
        var (u, g, _) = UserResolver.Resolve(user, Passwd, Group);
        Assert.Equal((uid, gid), (u, g));
    }

    [Fact]
    public void UserResolver_Resolve_SupplementaryGroupsFromGroupFile()
    {
        Assert.Equal([999u], UserResolver.Resolve("web", Passwd, Group).AdditionalGids);
    }

    [Theory]
    [InlineData("ghost")]
    [InlineData("web:ghosts")]
    public void UserResolver_Unknown_Throws(string user)
    {
        Assert.Throws<EngineException>(() => UserResolver.Resolve(user, Passwd, Group));
    }

    [Fact]
    public void HostLimits_Parse_ReadsHardColumn()
    {
        const string limits = "Limit                     Soft Limit           Hard Limit           Units     \n" +
            "Max processes             96365                96365                processes \n" +
            "Max open files            1024                 20000                files     \n" +
            "Max locked memory         unlimited            unlimited            bytes     \n";

        var parsed = HostLimits.Parse(limits);

        Assert.Equal(20000ul, parsed["RLIMIT_NOFILE"]);
        Assert.Equal(96365ul, parsed["RLIMIT_NPROC"]);
        Assert.False(parsed.ContainsKey("RLIMIT_MEMLOCK"));
    }

    [Theory]
    [InlineData("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", "oom_kill", 1)]
    [InlineData("low 0\nhigh 0\nmax 5\noom 2\noom_kill 2\n", "oom_kill", 2)]
    [InlineData("oom_kill_disable 0\n", "oom_kill", 0)]
    [InlineData("usage_usec 1234\nuser_usec 1000\n", "usage_usec", 1234)]
    public void CgroupFiles_KeyedValue_FindsKey(string text, string key, long expected)
    {
        Assert.Equal(expected, CgroupFiles.KeyedValue(text, key));
    }

    [Fact]
    public void InitLayer_ResolvConf_DropsLoopbackNameservers()
    {
        var conf = InitLayer.ResolvConf("# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.test\noptions ndots:2\nnameserver ::1\n");

        Assert.Equal("nameserver 10.0.0.2\nsearch example.test\noptions ndots:2\n", conf);
    }

    [Fact]
    public void InitLayer_ResolvConf_FromDnsConfig_SearchNameserversOptions()
    {
        Assert.Equal(
            "search ns1.svc.cluster.local svc.cluster.local\nnameserver 10.43.0.10\nnameserver 10.43.0.11\noptions ndots:5 timeout:2\n",
            InitLayer.ResolvConf(["10.43.0.10", "10.43.0.11"], ["ns1.svc.cluster.local", "svc.cluster.local"], ["ndots:5", "timeout:2"]));
        Assert.Equal("nameserver 1.2.3.4\n", InitLayer.ResolvConf(["1.2.3.4"], [], []));
        Assert.Equal("", InitLayer.ResolvConf([], [], []));
    }

    [Fact]
    public void InitLayer_HostsFile_NamesTheContainer()
    {
        Assert.Contains("127.0.1.1\tweb-1\n", InitLayer.HostsFile("web-1"));
        Assert.StartsWith("127.0.0.1\tlocalhost\n", InitLayer.HostsFile("x"));
    }

    [Theory]
    [InlineData(new byte[] { 0x1f, 0x8b, 8, 0 }, LayerCompression.Gzip)]
    [InlineData(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }, LayerCompression.Zstd)]
    [InlineData(new byte[] { (byte)'b', (byte)'i', (byte)'n', 0 }, LayerCompression.None)]
    [InlineData(new byte[0], LayerCompression.None)]
    public void LayerStreams_Detect_ByMagic(byte[] head, LayerCompression expected)
    {
        Assert.Equal(expected, LayerStreams.Detect(head));
    }

    [Fact]
    public void Snapshotter_ChainIds_FollowOciDefinition()
    {
        var a = Digest.Of("a"u8);
        var b = Digest.Of("b"u8);
        var c = Digest.Of("c"u8);

        var chain = Snapshotter.ChainIds([a, b, c]);

        Assert.Equal(a, chain[0]);
        Assert.Equal(Digest.Of(Encoding.ASCII.GetBytes($"{a} {b}")), chain[1]);
        Assert.Equal(Digest.Of(Encoding.ASCII.GetBytes($"{chain[1]} {c}")), chain[2]);
    }

    [Fact]
    public void PlatformSelector_Index_PicksLinuxOfRequestedArchitecture()
    {
        var index = new ImageIndex
        {
            Manifests =
            [
                new Descriptor { Digest = "arm", MediaType = MediaTypes.OciManifest, Platform = new Platform { Os = "linux", Architecture = "arm64" } },
                new Descriptor { Digest = "win", MediaType = MediaTypes.OciManifest, Platform = new Platform { Os = "windows", Architecture = "amd64" } },
                new Descriptor { Digest = "amd", MediaType = MediaTypes.OciManifest, Platform = new Platform { Os = "linux", Architecture = "amd64" } },
            ],
        };

        Assert.Equal("amd", PlatformSelector.Select(index, "linux", "amd64")!.Digest);
        Assert.Equal("arm", PlatformSelector.Select(index, "linux", "arm64")!.Digest);
        Assert.Null(PlatformSelector.Select(index, "linux", "s390x"));
    }

    [Theory]
    [InlineData("{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}", null, MediaTypes.OciIndex)]
    [InlineData("{\"manifests\":[]}", null, MediaTypes.OciIndex)]
    [InlineData("{\"config\":{},\"layers\":[]}", MediaTypes.DockerManifest, MediaTypes.DockerManifest)]
    [InlineData("{\"config\":{},\"layers\":[]}", null, MediaTypes.OciManifest)]
    public void ImageStore_DetectMediaType_StatedThenHintThenShape(string json, string? hint, string expected)
    {
        Assert.Equal(expected, ImageStore.DetectMediaType(Encoding.UTF8.GetBytes(json), hint));
    }
}
