using System.Globalization;
using Grpc.Core;
using Stevedore.Cri.V1;
using Stevedore.Runtime.Images;

namespace Stevedore.Runtime.Cri;

/// <summary>
/// CRI ImageService over the engine's image store. An image's CRI ID is its config digest
/// (<c>sha256:…</c>, as docker and containerd report it); all names pointing at the same config
/// are one image.
/// </summary>
public sealed class CriImageService(ContainerEngine engine) : ImageService.ImageServiceBase
{
    public override async Task<ListImagesResponse> ListImages(ListImagesRequest request, ServerCallContext context)
    {
        var response = new ListImagesResponse();
        var wanted = request.Filter?.Image?.Image;
        string? wantedId = null;
        if (!string.IsNullOrEmpty(wanted))
        {
            wantedId = (await TryResolveAsync(wanted, context.CancellationToken))?.ConfigDigest.ToString();
            if (wantedId is null)
            {
                return response;
            }
        }

        foreach (var image in await ImagesAsync(context.CancellationToken))
        {
            if (wantedId is null || image.Id == wantedId)
            {
                response.Images.Add(image);
            }
        }

        return response;
    }

    public override async Task<ImageStatusResponse> ImageStatus(ImageStatusRequest request, ServerCallContext context)
    {
        var resolved = await TryResolveAsync(request.Image?.Image ?? "", context.CancellationToken);
        if (resolved is null)
        {
            // CRI: an unknown image is not an error, just no image.
            return new ImageStatusResponse();
        }

        var image = (await ImagesAsync(context.CancellationToken)).First(i => i.Id == resolved.ConfigDigest.ToString());
        return new ImageStatusResponse { Image = image };
    }

    public override async Task<PullImageResponse> PullImage(PullImageRequest request, ServerCallContext context)
    {
        var name = request.Image?.Image;
        if (string.IsNullOrEmpty(name))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "image is required"));
        }

        var resolved = await engine.PullAsync(name, null, context.CancellationToken);
        return new PullImageResponse { ImageRef = resolved.ConfigDigest.ToString() };
    }

    public override async Task<RemoveImageResponse> RemoveImage(RemoveImageRequest request, ServerCallContext context)
    {
        var resolved = await TryResolveAsync(request.Image?.Image ?? "", context.CancellationToken);
        if (resolved is null)
        {
            // Idempotent: already gone.
            return new RemoveImageResponse();
        }

        // CRI removes the image, i.e. every name of it, not just the one given.
        foreach (var record in engine.Images.List())
        {
            if ((await engine.Images.ResolveAsync(record, context.CancellationToken)).ConfigDigest == resolved.ConfigDigest)
            {
                await engine.RemoveImageAsync(record.Name, force: false, context.CancellationToken);
            }
        }

        return new RemoveImageResponse();
    }

    public override Task<ImageFsInfoResponse> ImageFsInfo(ImageFsInfoRequest request, ServerCallContext context)
    {
        var response = new ImageFsInfoResponse();
        var now = CriTime.ToNanoseconds(DateTimeOffset.UtcNow);
        foreach (var folder in new[] { "content", "snapshots" })
        {
            var dir = Path.Combine(engine.Options.DataDir, folder);
            var (bytes, inodes) = Usage(dir);
            response.ImageFilesystems.Add(new FilesystemUsage
            {
                Timestamp = now,
                FsId = new FilesystemIdentifier { Mountpoint = dir },
                UsedBytes = new UInt64Value { Value = (ulong)bytes },
                InodesUsed = new UInt64Value { Value = (ulong)inodes },
            });
        }

        return Task.FromResult(response);
    }

    /// <summary>Bytes and inodes used under a directory (0, 0 when it does not exist).</summary>
    public static (long Bytes, long Inodes) Usage(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return (0, 0);
        }

        long bytes = 0, inodes = 1;
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            inodes++;
            if (entry is FileInfo { LinkTarget: null } file)
            {
                bytes += file.Length;
            }
        }

        return (bytes, inodes);
    }

    private async Task<ResolvedImage?> TryResolveAsync(string nameOrId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(nameOrId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "image is required"));
        }

        try
        {
            return await engine.Images.ResolveAsync(nameOrId, cancellationToken);
        }
        catch (EngineException ex) when (ex.Kind == EngineErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>Every image, its names grouped by config digest.</summary>
    private async Task<IReadOnlyList<Image>> ImagesAsync(CancellationToken cancellationToken)
    {
        var byId = new Dictionary<string, Image>();
        foreach (var record in engine.Images.List().OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var resolved = await engine.Images.ResolveAsync(record, cancellationToken);
            var id = resolved.ConfigDigest.ToString();
            if (!byId.TryGetValue(id, out var image))
            {
                image = new Image
                {
                    Id = id,
                    Size = (ulong)(resolved.Manifest.Config.Size + resolved.Manifest.Layers.Sum(l => l.Size)),
                    Spec = new ImageSpec { Image = id },
                };
                var user = resolved.Config.Config?.User;
                if (!string.IsNullOrEmpty(user))
                {
                    var uidPart = user.Split(':')[0];
                    if (long.TryParse(uidPart, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                    {
                        image.Uid = new Int64Value { Value = uid };
                    }
                    else
                    {
                        image.Username = uidPart;
                    }
                }

                byId[id] = image;
            }

            var reference = ImageReference.Parse(record.Name);
            if (reference.Tag is not null && reference.Digest is null)
            {
                image.RepoTags.Add(record.Name);
            }

            var repoDigest = reference.Name + "@" + resolved.TargetDigest;
            if (!image.RepoDigests.Contains(repoDigest))
            {
                image.RepoDigests.Add(repoDigest);
            }
        }

        return [.. byId.Values];
    }
}
