using System.Formats.Tar;
using System.Text.Json;
using Stevedore.Runtime.Content;

namespace Stevedore.Runtime.Images;

/// <summary>
/// Writes images as an OCI layout tarball that also carries a docker-save <c>manifest.json</c>, so both
/// <c>stevedore engine import</c> and <c>docker load</c> accept it.
/// </summary>
public sealed class ImageExporter(ImageStore images)
{
    private static readonly DateTimeOffset FixedTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Exports the named images to <paramref name="output"/>.</summary>
    public async Task ExportAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken)
    {
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex };
        var dockerManifest = new List<object>();
        var blobs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var record = await images.FindAsync(name, cancellationToken);
            var resolved = await images.ResolveAsync(record, cancellationToken);
            var reference = ImageReference.Parse(record.Name);
            index.Manifests.Add(new Descriptor
            {
                // The entry states the blob's own media type (OCI or Docker schema2, manifest or index).
                MediaType = record.Target.MediaType,
                Digest = record.Target.Digest,
                Size = record.Target.Size,
                Annotations = new() { ["io.containerd.image.name"] = record.Name, ["org.opencontainers.image.ref.name"] = reference.Tag ?? reference.Digest ?? "latest" },
            });
            foreach (var digest in await ReachableAsync(record, cancellationToken))
            {
                blobs.Add(digest.Hex);
            }

            dockerManifest.Add(new
            {
                Config = "blobs/sha256/" + resolved.ConfigDigest.Hex,
                RepoTags = reference.Tag is null ? Array.Empty<string>() : [ShortName(reference)],
                Layers = resolved.Manifest.Layers.Select(l => "blobs/sha256/" + Digest.Parse(l.Digest).Hex).ToArray(),
            });
        }

        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await WriteDirectoryAsync(writer, "blobs/", cancellationToken);
        await WriteDirectoryAsync(writer, "blobs/sha256/", cancellationToken);
        foreach (var hex in blobs)
        {
            await using var data = images.Content.OpenRead(Digest.Parse("sha256:" + hex));
            await WriteFileAsync(writer, "blobs/sha256/" + hex, data, cancellationToken);
        }

        await WriteFileAsync(writer, "index.json", new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(index)), cancellationToken);
        await WriteFileAsync(writer, "manifest.json", new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(dockerManifest)), cancellationToken);
        await WriteFileAsync(writer, "oci-layout", new MemoryStream("{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray()), cancellationToken);
    }

    private async Task<HashSet<Digest>> ReachableAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        var set = new HashSet<Digest> { Digest.Parse(record.Target.Digest) };
        var bytes = await images.Content.ReadAllAsync(Digest.Parse(record.Target.Digest), cancellationToken);
        var manifests = new List<Descriptor>();
        if (MediaTypes.IsIndex(ImageStore.DetectMediaType(bytes, record.Target.MediaType)))
        {
            manifests.AddRange(JsonSerializer.Deserialize<ImageIndex>(bytes)!.Manifests.Where(m => images.Content.Exists(Digest.Parse(m.Digest))));
        }
        else
        {
            manifests.Add(record.Target);
        }

        foreach (var m in manifests)
        {
            set.Add(Digest.Parse(m.Digest));
            var manifest = JsonSerializer.Deserialize<ImageManifest>(await images.Content.ReadAllAsync(Digest.Parse(m.Digest), cancellationToken))!;
            set.Add(Digest.Parse(manifest.Config.Digest));
            foreach (var layer in manifest.Layers)
            {
                set.Add(Digest.Parse(layer.Digest));
            }
        }

        return set;
    }

    /// <summary>Docker's familiar form: <c>busybox:latest</c> rather than <c>docker.io/library/busybox:latest</c>.</summary>
    internal static string ShortName(ImageReference reference)
    {
        var name = reference.Registry == ImageReference.DefaultRegistry
            ? reference.Repository.StartsWith("library/", StringComparison.Ordinal) ? reference.Repository[8..] : reference.Repository
            : reference.Name;
        return name + ":" + reference.Tag;
    }

    private static async Task WriteDirectoryAsync(TarWriter writer, string name, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.Directory, name) { ModificationTime = FixedTime, Mode = (UnixFileMode)0x1ED };
        await writer.WriteEntryAsync(entry, cancellationToken);
    }

    private static async Task WriteFileAsync(TarWriter writer, string name, Stream data, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { ModificationTime = FixedTime, Mode = (UnixFileMode)0x1A4, DataStream = data };
        await writer.WriteEntryAsync(entry, cancellationToken);
    }
}
