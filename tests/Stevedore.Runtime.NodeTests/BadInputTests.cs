using System.Formats.Tar;
using System.Text;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Native;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.NodeTests;

/// <summary>Layer unpacking, whiteouts and the content store against hostile or broken input.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("stevedore-badinput-").FullName;

    private string Root => Path.Combine(_dir, "root");

    public void Dispose() => Snapshotter.RemoveTree(_dir);

    private static MemoryStream Tar(params TarEntry[] entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        stream.Position = 0;
        return stream;
    }

    private static PaxTarEntry File(string name, string content = "x")
    {
        return new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)), Mode = (UnixFileMode)0x1A4 };
    }

    private static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };

    [RootFact]
    public void RemoveTree_SymlinksToOutside_LinksRemovedTargetsUntouched()
    {
        var canary = Path.Combine(_dir, "canary");
        Directory.CreateDirectory(Path.Combine(canary, "inner"));
        System.IO.File.WriteAllText(Path.Combine(canary, "inner", "file"), "keep");
        System.IO.File.SetUnixFileMode(canary, (UnixFileMode)0x1ED);
        var tree = Path.Combine(_dir, "tree", "a");
        Directory.CreateDirectory(tree);
        System.IO.File.CreateSymbolicLink(Path.Combine(tree, "up"), "../../canary");
        System.IO.File.CreateSymbolicLink(Path.Combine(tree, "abs"), canary);

        Snapshotter.RemoveTree(Path.Combine(_dir, "tree"));

        Assert.False(Directory.Exists(Path.Combine(_dir, "tree")));
        Assert.Equal("keep", System.IO.File.ReadAllText(Path.Combine(canary, "inner", "file")));
        Assert.Equal((UnixFileMode)0x1ED, System.IO.File.GetUnixFileMode(canary));
    }

    [RootFact]
    public async Task Apply_DotDotEntry_RefusedAndNothingOutside()
    {
        var ex = await Assert.ThrowsAsync<EngineException>(() => LayerApplier.ApplyAsync(Tar(File("../escaped")), Root, CancellationToken.None));

        Assert.Equal(EngineErrorKind.InvalidArgument, ex.Kind);
        Assert.False(System.IO.File.Exists(Path.Combine(_dir, "escaped")));
    }

    [RootFact]
    public async Task Apply_AbsoluteName_ContainedUnderRoot()
    {
        await LayerApplier.ApplyAsync(Tar(File("/abs/file", "inside")), Root, CancellationToken.None);

        Assert.Equal("inside", await System.IO.File.ReadAllTextAsync(Path.Combine(Root, "abs", "file")));
    }

    [RootFact]
    public async Task Apply_WriteThroughSymlink_Refused()
    {
        var outside = Path.Combine(_dir, "outside");
        Directory.CreateDirectory(outside);
        var tar = Tar(Link(TarEntryType.SymbolicLink, "link", outside), File("link/planted"));

        var ex = await Assert.ThrowsAsync<EngineException>(() => LayerApplier.ApplyAsync(tar, Root, CancellationToken.None));

        Assert.Contains("symlink", ex.Message);
        Assert.Empty(Directory.GetFiles(outside));
    }

    [RootFact]
    public async Task Apply_RelativeSymlinkEscape_Refused()
    {
        // "up" resolves to the test directory (outside the layer root), never to the real /.
        var tar = Tar(Link(TarEntryType.SymbolicLink, "up", ".."), File("up/planted"));

        await Assert.ThrowsAsync<EngineException>(() => LayerApplier.ApplyAsync(tar, Root, CancellationToken.None));

        Assert.False(System.IO.File.Exists(Path.Combine(_dir, "planted")));
    }

    [RootFact]
    public async Task Apply_HardLinkOutsideLayer_Refused()
    {
        var tar = Tar(Link(TarEntryType.HardLink, "passwd", "../../../etc/passwd"));

        await Assert.ThrowsAsync<EngineException>(() => LayerApplier.ApplyAsync(tar, Root, CancellationToken.None));
    }

    [RootFact]
    public async Task Apply_WhiteoutsDevicesXattrsHardLinks_BecomeOverlayForm()
    {
        var withXattr = new PaxTarEntry(TarEntryType.RegularFile, "data/file", new Dictionary<string, string> { ["SCHILY.xattr.user.origin"] = "layer" })
        {
            DataStream = new MemoryStream("abc"u8.ToArray()),
            Mode = (UnixFileMode)0x1ED,
            Uid = 1000,
            Gid = 1001,
        };
        var device = new PaxTarEntry(TarEntryType.CharacterDevice, "dev/null2") { DeviceMajor = 1, DeviceMinor = 3, Mode = (UnixFileMode)0x1B6 };
        var tar = Tar(
            withXattr,
            Link(TarEntryType.HardLink, "data/hard", "data/file"),
            File("gone/.wh.removed"),
            new PaxTarEntry(TarEntryType.Directory, "opaque/") { Mode = (UnixFileMode)0x1ED },
            File("opaque/.wh..wh..opq"),
            device,
            new PaxTarEntry(TarEntryType.Fifo, "run/fifo") { Mode = (UnixFileMode)0x1A4 });

        await LayerApplier.ApplyAsync(tar, Root, CancellationToken.None);

        var whiteout = Libc.LStatModeAndDevice(Path.Combine(Root, "gone", "removed"))!.Value;
        Assert.Equal((0x2000u, 0ul), (whiteout.Mode & 0xF000, whiteout.Rdev));
        Assert.False(System.IO.File.Exists(Path.Combine(Root, "gone", ".wh.removed")));
        Assert.Equal("y"u8.ToArray(), Libc.GetXattr(Path.Combine(Root, "opaque"), "trusted.overlay.opaque"));
        Assert.False(System.IO.File.Exists(Path.Combine(Root, "opaque", ".wh..wh..opq")));
        var dev = Libc.LStatModeAndDevice(Path.Combine(Root, "dev", "null2"))!.Value;
        Assert.Equal((0x2000u, Libc.MakeDev(1, 3)), (dev.Mode & 0xF000, dev.Rdev));
        Assert.Equal(0x1000u, Libc.LStatModeAndDevice(Path.Combine(Root, "run", "fifo"))!.Value.Mode & 0xF000);
        var file = Libc.LStatModeAndDevice(Path.Combine(Root, "data", "file"))!.Value;
        Assert.Equal((1000, 1001, 0x1EDu), (file.Uid, file.Gid, file.Mode & 0xFFF));
        Assert.Equal("layer"u8.ToArray(), Libc.GetXattr(Path.Combine(Root, "data", "file"), "user.origin"));
        await System.IO.File.AppendAllTextAsync(Path.Combine(Root, "data", "hard"), "d");
        Assert.Equal("abcd", await System.IO.File.ReadAllTextAsync(Path.Combine(Root, "data", "file")));
    }

    [RootFact]
    public async Task Apply_TruncatedTar_ThrowsCorrupt()
    {
        var full = Tar(File("a", new string('x', 4000))).ToArray();
        var truncated = new MemoryStream(full[..1000]);

        var ex = await Assert.ThrowsAsync<EngineException>(() => LayerApplier.ApplyAsync(truncated, Root, CancellationToken.None));

        Assert.Equal(EngineErrorKind.Corrupt, ex.Kind);
    }

    [RootFact]
    public async Task Differ_UpperWithWhiteoutAndOpaque_WritesOciWhiteouts()
    {
        await LayerApplier.ApplyAsync(Tar(File("keep/new", "n"), File("gone/.wh.old"), new PaxTarEntry(TarEntryType.Directory, "opq/"), File("opq/.wh..wh..opq"), File("etc/hosts")), Root, CancellationToken.None);
        var output = new MemoryStream();

        await LayerDiffer.WriteAsync(Root, new HashSet<string> { "etc/hosts" }, output, CancellationToken.None);

        output.Position = 0;
        var names = new List<string>();
        using var reader = new TarReader(output);
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        Assert.Equal(["etc/", "gone/", "gone/.wh.old", "keep/", "keep/new", "opq/", "opq/.wh..wh..opq"], names);
    }

    [RootFact]
    public async Task ContentStore_DigestMismatch_RejectedAndNothingKept()
    {
        var store = new ContentStore(Path.Combine(_dir, "content"));
        var wrong = Digest.Of("something else"u8);

        var ex = await Assert.ThrowsAsync<EngineException>(() => store.WriteAsync(new MemoryStream("payload"u8.ToArray()), wrong, -1, CancellationToken.None));

        Assert.Equal(EngineErrorKind.Corrupt, ex.Kind);
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "content", "ingest")));
    }

    [RootFact]
    public async Task ContentStore_TruncatedDownload_RejectedBySize()
    {
        var store = new ContentStore(Path.Combine(_dir, "content"));
        var data = "complete payload"u8.ToArray();

        var ex = await Assert.ThrowsAsync<EngineException>(() => store.WriteAsync(new MemoryStream(data[..5]), Digest.Of(data), data.Length, CancellationToken.None));

        Assert.Equal(EngineErrorKind.Corrupt, ex.Kind);
        Assert.False(store.Exists(Digest.Of(data)));
    }

    [RootFact]
    public async Task ContentStore_Collect_KeepsOnlyReferenced()
    {
        var store = new ContentStore(Path.Combine(_dir, "content"));
        var keep = await store.WriteAsync("keep"u8.ToArray(), CancellationToken.None);
        var drop = await store.WriteAsync("drop"u8.ToArray(), CancellationToken.None);

        var removed = store.Collect(new HashSet<Digest> { keep });

        Assert.Equal([drop], removed);
        Assert.True(store.Exists(keep));
        Assert.False(store.Exists(drop));
    }

    [RootFact]
    public async Task Import_CorruptTarball_ClearErrorAndNoImage()
    {
        await using var t = new TestEngine();
        var path = Path.Combine(_dir, "corrupt.tar");
        await System.IO.File.WriteAllBytesAsync(path, Encoding.ASCII.GetBytes(new string('z', 3000)));

        var ex = await Assert.ThrowsAsync<EngineException>(() => t.Engine.ImportAsync(path, "x", CancellationToken.None));

        Assert.Contains("corrupt.tar", ex.Message);
        Assert.Empty(t.Engine.Images.List());
    }

    [RootFact]
    public async Task Import_LayoutWithTamperedBlob_RejectedAsCorrupt()
    {
        await using var t = new TestEngine();
        var copy = Path.Combine(_dir, "layout");
        CopyDirectory(TestImages.BusyboxLayout, copy);
        var blob = Directory.GetFiles(Path.Combine(copy, "blobs", "sha256")).OrderBy(f => new FileInfo(f).Length).First();
        await System.IO.File.AppendAllTextAsync(blob, " ");

        var ex = await Assert.ThrowsAsync<EngineException>(() => t.Engine.ImportAsync(copy, null, CancellationToken.None));

        Assert.Equal(EngineErrorKind.Corrupt, ex.Kind);
        Assert.Empty(t.Engine.Images.List());
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            System.IO.File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}
