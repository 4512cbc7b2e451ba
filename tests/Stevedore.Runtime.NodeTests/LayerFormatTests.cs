using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Images;

namespace Stevedore.Runtime.NodeTests;

public sealed class LayerFormatTests
{
    [RootFact]
    public async Task Import_ZstdLayer_UnpacksAndRuns()
    {
        await using var t = new TestEngine();
        var layout = Path.Combine(t.Root, "zstd-layout");
        var blobs = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(blobs);

        // Re-pack the busybox layer with zstd (Debian's zstd binary) into a new OCI layout.
        var index = JsonSerializer.Deserialize<ImageIndex>(await File.ReadAllBytesAsync(Path.Combine(TestImages.BusyboxLayout, "index.json")))!;
        var source = Path.Combine(TestImages.BusyboxLayout, "blobs", "sha256");
        var manifest = JsonSerializer.Deserialize<ImageManifest>(await File.ReadAllBytesAsync(Path.Combine(source, Digest.Parse(index.Manifests[0].Digest).Hex)))!;
        var gzLayer = Path.Combine(source, Digest.Parse(manifest.Layers[0].Digest).Hex);
        var tar = Path.Combine(t.Root, "layer.tar");
        await using (var input = new GZipStream(File.OpenRead(gzLayer), CompressionMode.Decompress))
        await using (var output = File.Create(tar))
        {
            await input.CopyToAsync(output);
        }

        using (var zstd = Process.Start("zstd", ["-q", "-f", tar, "-o", tar + ".zst"]))
        {
            await zstd.WaitForExitAsync();
            Assert.Equal(0, zstd.ExitCode);
        }

        var zstdBytes = await File.ReadAllBytesAsync(tar + ".zst");
        var zstdDigest = Digest.Of(zstdBytes);
        await File.WriteAllBytesAsync(Path.Combine(blobs, zstdDigest.Hex), zstdBytes);
        var configHex = Digest.Parse(manifest.Config.Digest).Hex;
        File.Copy(Path.Combine(source, configHex), Path.Combine(blobs, configHex));
        manifest.Layers = [new Descriptor { MediaType = MediaTypes.OciLayerZstd, Digest = zstdDigest.ToString(), Size = zstdBytes.Length }];
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest);
        var manifestDigest = Digest.Of(manifestBytes);
        await File.WriteAllBytesAsync(Path.Combine(blobs, manifestDigest.Hex), manifestBytes);
        var newIndex = new ImageIndex
        {
            Manifests = [new Descriptor { MediaType = MediaTypes.OciManifest, Digest = manifestDigest.ToString(), Size = manifestBytes.Length, Annotations = new() { ["org.opencontainers.image.ref.name"] = "zstd" } }],
        };
        await File.WriteAllBytesAsync(Path.Combine(layout, "index.json"), JsonSerializer.SerializeToUtf8Bytes(newIndex));

        var imported = await t.Engine.ImportAsync(layout, "example.test/busybox", CancellationToken.None);
        var (record, stdout, _) = await t.RunAsync(new ContainerOptions { Image = "example.test/busybox:zstd", Command = ["echo", "zstd ok"] });

        Assert.Equal("example.test/busybox:zstd", Assert.Single(imported).ToString());
        Assert.Equal(0, record.ExitCode);
        Assert.Equal("zstd ok\n", stdout);
    }

    [RootFact]
    public async Task Exec_WithStdin_ProcessReadsIt()
    {
        await using var t = new TestEngine();
        await t.ImportBusyboxAsync();
        var created = await t.Engine.CreateAsync(new ContainerOptions { Image = "busybox", Command = ["sleep", "30"] }, CancellationToken.None);
        await t.Engine.StartAsync(created.Id, null, CancellationToken.None);

        var stdout = new MemoryStream();
        var code = await t.Engine.ExecAsync(created.Id, new ExecOptions { Args = ["sh", "-c", "tr a-z A-Z"] }, new MemoryStream("piped input\n"u8.ToArray()), stdout, null, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Equal("PIPED INPUT\n", System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
    }
}
