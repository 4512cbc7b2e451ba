using System.Formats.Tar;
using System.IO.Compression;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.NodeTests;

public sealed class FilesystemTests
{
    [RootFact]
    public async Task Run_RemoveBinLs_ImageUntouchedAndWhiteoutOnlyInUpper()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();

        var (record, _, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["rm", "/bin/ls"] });

        Assert.Equal(0, record.ExitCode);
        var image = await t.Engine.InspectImageAsync("busybox", CancellationToken.None);
        var layer = t.Engine.Snapshots.LayerPath(Snapshotter.ChainIds(image.DiffIds)[^1]);
        Assert.True(File.Exists(Path.Combine(layer, "bin", "ls")) || new FileInfo(Path.Combine(layer, "bin", "ls")).LinkTarget is not null);
        var whiteout = Path.Combine(t.Engine.Containers.PathsOf(record.Id).Upper, "bin", "ls");
        var stat = Native.Libc.LStatModeAndDevice(whiteout);
        Assert.NotNull(stat);
        Assert.Equal(0x2000u, stat!.Value.Mode & 0xF000);
        Assert.Equal(0ul, stat.Value.Rdev);

        // A fresh container from the same image still has ls.
        var (again, stdout, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["ls", "/bin/ls"] });
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("/bin/ls\n", stdout);
    }

    [RootFact]
    public async Task Commit_AfterChanges_AddsOneLayerWithExactlyTheChange()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var (record, _, _) = await t.RunAsync(new ContainerOptions
        {
            Image = "busybox",
            Command = ["sh", "-c", "echo hello > /hello.txt && rm /bin/ls && echo 10.0.0.1 x >> /etc/hosts"],
        });
        Assert.Equal(0, record.ExitCode);

        var committed = await t.Engine.CommitAsync(record.Id, "example.test/committed:v1", CancellationToken.None);
        var original = await t.Engine.InspectImageAsync("busybox", CancellationToken.None);

        Assert.Equal(original.Manifest.Layers.Count + 1, committed.Manifest.Layers.Count);
        Assert.Equal(original.Config.RootFs.DiffIds, committed.Config.RootFs.DiffIds.Take(original.Config.RootFs.DiffIds.Count));
        var names = new List<string>();
        await using (var blob = t.Engine.Content.OpenRead(Digest.Parse(committed.Manifest.Layers[^1].Digest)))
        await using (var gz = new GZipStream(blob, CompressionMode.Decompress))
        await using (var reader = new TarReader(gz))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                names.Add(entry.Name.TrimEnd('/'));
            }
        }

        Assert.Contains("hello.txt", names);
        Assert.Contains("bin/.wh.ls", names);
        Assert.DoesNotContain(names, n => n.StartsWith("etc/", StringComparison.Ordinal));
        Assert.Equal(["bin", "bin/.wh.ls", "hello.txt"], names.Where(n => n != "etc").Order(StringComparer.Ordinal));

        // The committed image runs and shows the change.
        var (run, stdout, _) = await t.RunAsync(new ContainerOptions { Image = "example.test/committed:v1", Command = ["sh", "-c", "cat /hello.txt; ls /bin/ls || echo gone"] });
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("hello\ngone\n", stdout);
    }

    [RootFact]
    public async Task Import_DockerSaveAndOciTarball_BothRun()
    {
        await using var t = new TestEngine();

        var fromDocker = await t.Engine.ImportAsync(TestImages.BusyboxDockerTar, null, CancellationToken.None);
        await t.Engine.TagAsync("busybox", "docker-saved:1", CancellationToken.None);
        var fromOci = await t.Engine.ImportAsync(TestImages.BusyboxOciTar, "oci-imported:1", CancellationToken.None);

        Assert.Contains("docker.io/library/busybox:latest", fromDocker.Select(r => r.ToString()));
        Assert.Contains("docker.io/library/busybox:1.28", fromDocker.Select(r => r.ToString()));
        Assert.Contains("registry.k8s.io/busybox:latest", fromOci.Select(r => r.ToString()));
        foreach (var image in new[] { "docker-saved:1", "busybox:latest", "registry.k8s.io/busybox" })
        {
            var (record, stdout, _) = await t.RunAsync(new ContainerOptions { Image = image, Command = ["echo", "ok " + image], AutoRemove = true });
            Assert.Equal(0, record.ExitCode);
            Assert.Equal("ok " + image + "\n", stdout);
        }

        // Both formats carry the same layer, so they share one unpacked snapshot.
        var a = await t.Engine.InspectImageAsync("docker-saved:1", CancellationToken.None);
        var b = await t.Engine.InspectImageAsync("busybox:latest", CancellationToken.None);
        Assert.Equal(a.Config.RootFs.DiffIds, b.Config.RootFs.DiffIds);
    }

    [RootFact]
    public async Task Export_ThenImportIntoEmptyEngine_SameDigests()
    {
        await using var source = new TestEngine();
        await source.ImportBusyboxAsync();
        var tar = Path.Combine(source.Root, "export.tar");
        await using (var file = File.Create(tar))
        {
            await source.Engine.ExportAsync(["busybox"], file, CancellationToken.None);
        }

        await using var target = new TestEngine();
        await target.Engine.ImportAsync(tar, null, CancellationToken.None);

        var a = await source.Engine.InspectImageAsync("busybox", CancellationToken.None);
        var b = await target.Engine.InspectImageAsync("busybox", CancellationToken.None);
        Assert.Equal(a.ManifestDigest, b.ManifestDigest);
        Assert.Equal(a.ConfigDigest, b.ConfigDigest);
    }

    [RootFact]
    public async Task FindImage_ByDigestReference_MatchesOnlyThatDigest()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        await t.Engine.ImportAsync(TestImages.PauseLayout, null, CancellationToken.None);
        var busybox = await t.Engine.Images.FindAsync("busybox", CancellationToken.None);
        var pause = await t.Engine.Images.FindAsync("registry.k8s.io/pause:3.9", CancellationToken.None);
        t.Engine.Images.Tag(Images.ImageReference.Parse("example.test/x@" + pause.Target.Digest), pause.Target);
        t.Engine.Images.Tag(Images.ImageReference.Parse("example.test/x:1"), busybox.Target);

        var found = await t.Engine.Images.FindAsync("example.test/x@" + busybox.Target.Digest, CancellationToken.None);

        Assert.Equal("example.test/x:1", found.Name);
        Assert.Equal(busybox.Target.Digest, found.Target.Digest);

        // A digest no name of that repository points at is not found, even though the repository has a digest name.
        t.Engine.Images.Untag("example.test/x:1");
        var ex = await Assert.ThrowsAsync<EngineException>(() => t.Engine.Images.FindAsync("example.test/x@" + busybox.Target.Digest, CancellationToken.None));
        Assert.Equal(EngineErrorKind.NotFound, ex.Kind);
    }

    [RootFact]
    public async Task RemoveImage_UnusedImage_CollectsBlobsAndLayers()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var (record, _, _) = await t.RunAsync(new ContainerOptions { Image = "busybox", Command = ["true"] });

        // Other names of the same image go freely; the last one is protected while a container uses it.
        foreach (var other in t.Engine.Images.List().Select(r => r.Name).Where(n => n != "docker.io/library/busybox:latest").ToList())
        {
            await t.Engine.RemoveImageAsync(other, force: false, CancellationToken.None);
        }

        Assert.NotEmpty(t.Engine.Content.List());
        var conflict = await Assert.ThrowsAsync<EngineException>(() => t.Engine.RemoveImageAsync("busybox", force: false, CancellationToken.None));
        Assert.Equal(EngineErrorKind.Conflict, conflict.Kind);

        await t.Engine.RemoveAsync(record.Id, force: false, CancellationToken.None);
        await t.Engine.RemoveImageAsync("busybox", force: false, CancellationToken.None);

        Assert.Empty(t.Engine.Images.List());
        Assert.Empty(t.Engine.Content.List());
        Assert.Empty(Directory.GetDirectories(Path.Combine(t.Options.DataDir, "snapshots")));
    }
}
