using System.Formats.Tar;
using System.Text.Json;
using Stevedore.Runtime.Content;

namespace Stevedore.Runtime.Images;

/// <summary>
/// Imports OCI image layouts (directory or tarball) and <c>docker save</c> tarballs into the content
/// store and tags the images they name. Every blob is verified against its digest on the way in.
/// </summary>
public sealed class ImageImporter(ImageStore images)
{
    private const string NameAnnotation = "io.containerd.image.name";
    private const string RefAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>
    /// Imports <paramref name="path"/> (a directory or a tar file). Images without a full name in the
    /// archive get <paramref name="defaultName"/> when given. Returns the references tagged.
    /// </summary>
    public async Task<IReadOnlyList<ImageReference>> ImportAsync(string path, string? defaultName, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            return await ImportDirectoryAsync(path, defaultName, cancellationToken);
        }

        if (!File.Exists(path))
        {
            throw new EngineException(EngineErrorKind.NotFound, $"{path}: no such file or directory");
        }

        var temp = Directory.CreateTempSubdirectory("stevedore-import-");
        try
        {
            await ExtractPlainFilesAsync(path, temp.FullName, cancellationToken);
            return await ImportDirectoryAsync(temp.FullName, defaultName, cancellationToken);
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private async Task<IReadOnlyList<ImageReference>> ImportDirectoryAsync(string dir, string? defaultName, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dir, "index.json")))
        {
            return await ImportOciLayoutAsync(dir, defaultName, cancellationToken);
        }

        if (File.Exists(Path.Combine(dir, "manifest.json")))
        {
            return await ImportDockerSaveAsync(dir, defaultName, cancellationToken);
        }

        throw new EngineException(EngineErrorKind.InvalidArgument, "not an image archive: neither an OCI layout (index.json) nor a docker save archive (manifest.json)");
    }

    private async Task<IReadOnlyList<ImageReference>> ImportOciLayoutAsync(string dir, string? defaultName, CancellationToken cancellationToken)
    {
        var blobDir = Path.Combine(dir, "blobs", "sha256");
        if (Directory.Exists(blobDir))
        {
            foreach (var file in Directory.EnumerateFiles(blobDir).Order(StringComparer.Ordinal))
            {
                var expected = Digest.Parse("sha256:" + Path.GetFileName(file));
                await using var stream = File.OpenRead(file);
                await images.Content.WriteAsync(stream, expected, -1, cancellationToken);
            }
        }

        var index = ParseJson<ImageIndex>(await File.ReadAllBytesAsync(Path.Combine(dir, "index.json"), cancellationToken), "index.json");
        var tagged = new List<ImageReference>();
        foreach (var entry in index.Manifests)
        {
            var digest = Digest.Parse(entry.Digest);
            if (!images.Content.Exists(digest))
            {
                throw new EngineException(EngineErrorKind.Corrupt, $"index.json names {digest} but the layout has no such blob");
            }

            string? name = null;
            if (entry.Annotations?.TryGetValue(NameAnnotation, out var full) == true)
            {
                name = full;
            }
            else if (entry.Annotations?.TryGetValue(RefAnnotation, out var refName) == true && ImageReference.TryParse(refName, out var r, out _) && refName.Contains('/', StringComparison.Ordinal))
            {
                name = r!.ToString();
            }
            else if (defaultName is not null)
            {
                var tag = entry.Annotations?.GetValueOrDefault(RefAnnotation);
                name = tag is not null && !defaultName.Contains(':', StringComparison.Ordinal) ? defaultName + ":" + tag : defaultName;
            }

            await CheckCompleteAsync(digest, entry.MediaType, cancellationToken);
            if (name is null)
            {
                continue;
            }

            var reference = ImageReference.Parse(name);
            images.Tag(reference, new Descriptor { MediaType = entry.MediaType, Digest = entry.Digest, Size = entry.Size });
            tagged.Add(reference);
        }

        if (tagged.Count == 0)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "the OCI layout names no image; give a name for it");
        }

        return tagged;
    }

    private async Task<IReadOnlyList<ImageReference>> ImportDockerSaveAsync(string dir, string? defaultName, CancellationToken cancellationToken)
    {
        var entries = ParseJson<List<DockerSaveEntry>>(await File.ReadAllBytesAsync(Path.Combine(dir, "manifest.json"), cancellationToken), "manifest.json");
        var tagged = new List<ImageReference>();
        foreach (var entry in entries)
        {
            var configBytes = await File.ReadAllBytesAsync(SafeJoin(dir, entry.Config), cancellationToken);
            var config = ParseJson<ImageConfig>(configBytes, entry.Config);
            if (config.RootFs.DiffIds.Count != entry.Layers.Count)
            {
                throw new EngineException(EngineErrorKind.Corrupt, $"{entry.Config}: {entry.Layers.Count} layers but {config.RootFs.DiffIds.Count} diff IDs");
            }

            var configDigest = await images.Content.WriteAsync(configBytes, cancellationToken);
            var manifest = new ImageManifest
            {
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = configBytes.Length },
            };
            for (var i = 0; i < entry.Layers.Count; i++)
            {
                await using var stream = File.OpenRead(SafeJoin(dir, entry.Layers[i]));
                var (digest, size) = await images.Content.WriteAsync(stream, null, -1, cancellationToken);
                var mediaType = await LayerMediaTypeAsync(digest, cancellationToken);
                if (mediaType == MediaTypes.OciLayer && digest.ToString() != config.RootFs.DiffIds[i])
                {
                    throw new EngineException(EngineErrorKind.Corrupt, $"layer {entry.Layers[i]} hashes to {digest}, config says {config.RootFs.DiffIds[i]}");
                }

                manifest.Layers.Add(new Descriptor { MediaType = mediaType, Digest = digest.ToString(), Size = size });
            }

            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest);
            var manifestDigest = await images.Content.WriteAsync(manifestBytes, cancellationToken);
            var target = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = manifestDigest.ToString(), Size = manifestBytes.Length };
            var names = entry.RepoTags is { Count: > 0 } ? entry.RepoTags : defaultName is null ? [] : [defaultName];
            foreach (var name in names)
            {
                var reference = ImageReference.Parse(name);
                images.Tag(reference, target);
                tagged.Add(reference);
            }
        }

        if (tagged.Count == 0)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "the docker save archive names no image; give a name for it");
        }

        return tagged;
    }

    private async Task<string> LayerMediaTypeAsync(Digest digest, CancellationToken cancellationToken)
    {
        await using var stream = images.Content.OpenRead(digest);
        return (await Snapshots.LayerStreams.DetectAsync(stream, cancellationToken)) switch
        {
            Snapshots.LayerCompression.Gzip => MediaTypes.OciLayerGzip,
            Snapshots.LayerCompression.Zstd => MediaTypes.OciLayerZstd,
            _ => MediaTypes.OciLayer,
        };
    }

    private async Task CheckCompleteAsync(Digest digest, string? mediaType, CancellationToken cancellationToken)
    {
        var (_, manifest) = await images.ReadManifestForPlatformAsync(digest, mediaType, cancellationToken);
        foreach (var blob in manifest.Layers.Append(manifest.Config))
        {
            if (!images.Content.Exists(Digest.Parse(blob.Digest)))
            {
                throw new EngineException(EngineErrorKind.Corrupt, $"image {digest} needs blob {blob.Digest}, which the archive lacks");
            }
        }
    }

    /// <summary>Extracts only directories and regular files, refusing any name that leaves <paramref name="target"/>.</summary>
    private static async Task ExtractPlainFilesAsync(string tarPath, string target, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(tarPath);
            await using var reader = new TarReader(file);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    continue;
                }

                var destination = SafeJoin(target, entry.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                await using var output = File.Create(destination);
                if (entry.DataStream is not null)
                {
                    await entry.DataStream.CopyToAsync(output, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new EngineException(EngineErrorKind.Corrupt, $"{tarPath}: corrupt tar archive: {ex.Message}", ex);
        }
    }

    private static string SafeJoin(string root, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative.TrimStart('/')));
        if (!full.StartsWith(Path.GetFullPath(root) + "/", StringComparison.Ordinal))
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"archive entry \"{relative}\" points outside the archive");
        }

        return full;
    }

    private static T ParseJson<T>(byte[] bytes, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes) ?? throw new EngineException(EngineErrorKind.Corrupt, $"{what} is empty");
        }
        catch (JsonException ex)
        {
            throw new EngineException(EngineErrorKind.Corrupt, $"{what} is not valid JSON: {ex.Message}", ex);
        }
    }

    private sealed class DockerSaveEntry
    {
        public string Config { get; set; } = "";
        public List<string>? RepoTags { get; set; }
        public List<string> Layers { get; set; } = [];
    }
}
