using System.Diagnostics;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Stevedore.Cri.NodeTests;

/// <summary>The project's test images (images/build-test-images.sh) plus a one-file image made here to be removed.</summary>
public static class TestImages
{
    /// <summary>The name of the small image the contract suite removes.</summary>
    public const string RemovableName = "example.test/cri-removable:1";

    /// <summary>The local name of the small image pushed to a registry for the pull test.</summary>
    public const string PullableName = "example.test/cri-pullable:1";

    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The directory holding busybox.oci.tar, pause.oci.tar and removable.oci.tar.</summary>
    public static string Dir => Built.Value;

    public static string BusyboxTar => Path.Combine(Dir, "busybox.oci.tar");
    public static string PauseTar => Path.Combine(Dir, "pause.oci.tar");
    public static string RemovableTar => Path.Combine(Dir, "removable.oci.tar");
    public static string PullableTar => Path.Combine(Dir, "pullable.oci.tar");

    private static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "images", "build-test-images.sh")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("cannot find images/build-test-images.sh above " + AppContext.BaseDirectory);
        }
    }

    private static string Build()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "test-images");
        var info = new ProcessStartInfo("bash", [Path.Combine(RepoRoot, "images", "build-test-images.sh"), output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("build-test-images.sh failed: " + stderr.Result);
        }

        WriteOneFileImage(Path.Combine(output, "removable.oci.tar"), RemovableName, "remove me\n");
        WriteOneFileImage(Path.Combine(output, "pullable.oci.tar"), PullableName, "pull me\n");
        return output;
    }

    /// <summary>An OCI layout tarball of a single-layer image holding one text file.</summary>
    private static void WriteOneFileImage(string path, string name, string content)
    {
        var layer = new MemoryStream();
        using (var writer = new TarWriter(layer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "file.txt")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                Mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            writer.WriteEntry(entry);
        }

        var layerBytes = layer.ToArray();
        var layerDigest = Sha(layerBytes);
        var config = Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{{\"Cmd\":[\"/file.txt\"]}},\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{layerDigest}\"]}}}}");
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{Sha(config)}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{layerDigest}\",\"size\":{layerBytes.Length}}}]}}");
        var index = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{Sha(manifest)}\",\"size\":{manifest.Length},\"annotations\":{{\"io.containerd.image.name\":\"{name}\",\"org.opencontainers.image.ref.name\":\"{name}\"}},\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}]}}");

        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        void Add(string name, byte[] data) =>
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead });
        Add("oci-layout", Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}"));
        Add("index.json", index);
        foreach (var blob in new[] { layerBytes, config, manifest })
        {
            Add("blobs/sha256/" + Sha(blob)[7..], blob);
        }
    }

    private static string Sha(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
}
