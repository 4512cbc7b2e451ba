using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime.Images;

/// <summary>
/// Makes a new image from a base image plus a container's upper directory: the upper directory
/// becomes one gzip layer (overlay whiteouts written back as OCI <c>.wh.</c> entries, the init
/// layer's files left out), appended to the base manifest, with the diff ID and a history entry
/// added to a copy of the base configuration.
/// </summary>
public sealed class ImageCommitter(ImageStore images, TimeProvider time)
{
    /// <summary>Commits <paramref name="upperDir"/> on top of <paramref name="baseImage"/> and tags the result.</summary>
    public async Task<ResolvedImage> CommitAsync(
        ResolvedImage baseImage,
        string upperDir,
        IReadOnlySet<string> exclude,
        ImageReference reference,
        string createdBy,
        CancellationToken cancellationToken)
    {
        var temp = Path.Combine(Path.GetTempPath(), "stevedore-commit-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var tar = File.Create(temp + ".tar"))
            {
                await LayerDiffer.WriteAsync(upperDir, exclude, tar, cancellationToken);
            }

            Digest diffId;
            await using (var tar = File.OpenRead(temp + ".tar"))
            {
                diffId = Digest.FromHash(await System.Security.Cryptography.SHA256.HashDataAsync(tar, cancellationToken));
            }

            await using (var tar = File.OpenRead(temp + ".tar"))
            await using (var gz = File.Create(temp + ".tar.gz"))
            await using (var compressor = new GZipStream(gz, CompressionLevel.Fastest))
            {
                await tar.CopyToAsync(compressor, cancellationToken);
            }

            (Digest Digest, long Size) layer;
            await using (var gz = File.OpenRead(temp + ".tar.gz"))
            {
                layer = await images.Content.WriteAsync(gz, null, -1, cancellationToken);
            }

            var now = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var config = JsonNode.Parse(await images.Content.ReadAllAsync(baseImage.ConfigDigest, cancellationToken))!.AsObject();
            config["created"] = now;
            var rootfs = config["rootfs"]?.AsObject() ?? new JsonObject { ["type"] = "layers" };
            config["rootfs"] = rootfs;
            var diffIds = rootfs["diff_ids"]?.AsArray() ?? [];
            rootfs["diff_ids"] = diffIds;
            diffIds.Add(diffId.ToString());
            var history = config["history"]?.AsArray() ?? [];
            config["history"] = history;
            history.Add(new JsonObject { ["created"] = now, ["created_by"] = createdBy });
            var configBytes = JsonSerializer.SerializeToUtf8Bytes(config);
            var configDigest = await images.Content.WriteAsync(configBytes, cancellationToken);

            var manifest = new ImageManifest
            {
                MediaType = MediaTypes.OciManifest,
                Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = configBytes.Length },
                Layers = baseImage.Manifest.Layers
                    .Select(l => new Descriptor { MediaType = ToOciLayerType(l.MediaType), Digest = l.Digest, Size = l.Size })
                    .Append(new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = layer.Digest.ToString(), Size = layer.Size })
                    .ToList(),
            };
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest);
            var manifestDigest = await images.Content.WriteAsync(manifestBytes, cancellationToken);
            images.Tag(reference, new Descriptor { MediaType = MediaTypes.OciManifest, Digest = manifestDigest.ToString(), Size = manifestBytes.Length });
            return await images.ResolveAsync(reference.ToString(), cancellationToken);
        }
        finally
        {
            File.Delete(temp + ".tar");
            File.Delete(temp + ".tar.gz");
        }
    }

    /// <summary>Docker layer media types mapped to their OCI equivalents, since the new manifest is OCI.</summary>
    public static string ToOciLayerType(string mediaType) => mediaType switch
    {
        MediaTypes.DockerLayerGzip or MediaTypes.DockerForeignLayerGzip => MediaTypes.OciLayerGzip,
        _ => mediaType,
    };
}
