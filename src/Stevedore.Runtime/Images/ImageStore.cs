using System.Text.Json;
using Stevedore.Runtime.Content;

namespace Stevedore.Runtime.Images;

/// <summary>
/// Tags (name → manifest or index descriptor) persisted in <c>images.json</c>, plus resolution of a tag
/// to the linux/amd64 manifest and its configuration from the content store.
/// </summary>
public sealed class ImageStore(ContentStore content, string root)
{
    private readonly string _tagsFile = Path.Combine(root, "images.json");
    private readonly string _lockFile = Path.Combine(root, "images.lock");

    /// <summary>The content store the images live in.</summary>
    public ContentStore Content => content;

    /// <summary>All tags, sorted by name.</summary>
    public IReadOnlyList<ImageRecord> List() =>
        (JsonFile.Read<List<ImageRecord>>(_tagsFile) ?? []).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    /// <summary>Points <paramref name="reference"/> at <paramref name="target"/>, replacing any previous target.</summary>
    public void Tag(ImageReference reference, Descriptor target)
    {
        using var _ = JsonFile.Lock(_lockFile);
        var all = JsonFile.Read<List<ImageRecord>>(_tagsFile) ?? [];
        all.RemoveAll(r => r.Name == reference.ToString());
        all.Add(new ImageRecord { Name = reference.ToString(), Target = target, Created = DateTimeOffset.UtcNow });
        JsonFile.Write(_tagsFile, all);
    }

    /// <summary>Removes a tag; returns false when it did not exist.</summary>
    public bool Untag(string name)
    {
        using var _ = JsonFile.Lock(_lockFile);
        var all = JsonFile.Read<List<ImageRecord>>(_tagsFile) ?? [];
        var removed = all.RemoveAll(r => r.Name == name) > 0;
        JsonFile.Write(_tagsFile, all);
        return removed;
    }

    /// <summary>
    /// Finds the tag for a user-given name: a reference (<c>busybox</c> → <c>docker.io/library/busybox:latest</c>)
    /// or an image ID prefix (config digest, at least 4 hex digits, optional <c>sha256:</c>).
    /// </summary>
    public async Task<ImageRecord> FindAsync(string nameOrId, CancellationToken cancellationToken)
    {
        var all = List();
        if (ImageReference.TryParse(nameOrId, out var reference, out _))
        {
            var byName = all.FirstOrDefault(r => r.Name == reference!.ToString());
            if (byName is not null)
            {
                return byName;
            }

            if (reference!.Digest is not null)
            {
                // Any name of the same repository whose target is that digest.
                var byDigest = all.FirstOrDefault(r =>
                    (r.Name.StartsWith(reference.Name + "@", StringComparison.Ordinal) || r.Name.StartsWith(reference.Name + ":", StringComparison.Ordinal))
                    && r.Target.Digest == reference.Digest);
                if (byDigest is not null)
                {
                    return byDigest;
                }
            }
        }

        var idPrefix = nameOrId.StartsWith("sha256:", StringComparison.Ordinal) ? nameOrId[7..] : nameOrId;
        if (idPrefix.Length >= 4 && idPrefix.All(char.IsAsciiHexDigitLower))
        {
            foreach (var record in all)
            {
                var resolved = await ResolveAsync(record, cancellationToken);
                if (resolved.ConfigDigest.Hex.StartsWith(idPrefix, StringComparison.Ordinal) || resolved.TargetDigest.Hex.StartsWith(idPrefix, StringComparison.Ordinal))
                {
                    return record;
                }
            }
        }

        throw new EngineException(EngineErrorKind.NotFound, $"image \"{nameOrId}\" not found");
    }

    /// <summary>Finds and resolves an image by name or ID.</summary>
    public async Task<ResolvedImage> ResolveAsync(string nameOrId, CancellationToken cancellationToken) =>
        await ResolveAsync(await FindAsync(nameOrId, cancellationToken), cancellationToken);

    /// <summary>Resolves a tag to the manifest for this platform.</summary>
    public async Task<ResolvedImage> ResolveAsync(ImageRecord record, CancellationToken cancellationToken)
    {
        var targetDigest = Digest.Parse(record.Target.Digest);
        var (manifestDigest, manifest) = await ReadManifestForPlatformAsync(targetDigest, record.Target.MediaType, cancellationToken);
        var configDigest = Digest.Parse(manifest.Config.Digest);
        var config = JsonSerializer.Deserialize<ImageConfig>(await content.ReadAllAsync(configDigest, cancellationToken))
            ?? throw new EngineException(EngineErrorKind.Corrupt, $"image config {configDigest} is empty");
        if (config.RootFs.DiffIds.Count != manifest.Layers.Count)
        {
            throw new EngineException(EngineErrorKind.Corrupt, $"image {record.Name}: {manifest.Layers.Count} layers but {config.RootFs.DiffIds.Count} diff IDs");
        }

        return new ResolvedImage(record.Name, targetDigest, manifestDigest, manifest, configDigest, config);
    }

    /// <summary>Reads a manifest, descending through an index to the linux/amd64 entry.</summary>
    public async Task<(Digest Digest, ImageManifest Manifest)> ReadManifestForPlatformAsync(Digest digest, string? mediaType, CancellationToken cancellationToken)
    {
        var bytes = await content.ReadAllAsync(digest, cancellationToken);
        mediaType = DetectMediaType(bytes, mediaType);
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = JsonSerializer.Deserialize<ImageIndex>(bytes)!;
            var chosen = PlatformSelector.Select(index)
                ?? throw new EngineException(EngineErrorKind.NotFound, $"index {digest} has no manifest for {PlatformSelector.Current}");
            return await ReadManifestForPlatformAsync(Digest.Parse(chosen.Digest), chosen.MediaType, cancellationToken);
        }

        var manifest = JsonSerializer.Deserialize<ImageManifest>(bytes)
            ?? throw new EngineException(EngineErrorKind.Corrupt, $"manifest {digest} is empty");
        return (digest, manifest);
    }

    /// <summary>The media type stated inside a manifest document, falling back to the hint and to its shape.</summary>
    public static string DetectMediaType(ReadOnlySpan<byte> document, string? hint)
    {
        using var json = JsonDocument.Parse(document.ToArray());
        if (json.RootElement.TryGetProperty("mediaType", out var mt) && mt.GetString() is { Length: > 0 } stated)
        {
            return stated;
        }

        if (!string.IsNullOrEmpty(hint))
        {
            return hint;
        }

        return json.RootElement.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest;
    }

    /// <summary>Every blob reachable from a tag (targets, platform manifests, configs, layers).</summary>
    public async Task<HashSet<Digest>> ReachableAsync(CancellationToken cancellationToken)
    {
        var reachable = new HashSet<Digest>();
        foreach (var record in List())
        {
            await MarkAsync(Digest.Parse(record.Target.Digest), record.Target.MediaType, reachable, cancellationToken);
        }

        return reachable;
    }

    private async Task MarkAsync(Digest digest, string? mediaType, HashSet<Digest> reachable, CancellationToken cancellationToken)
    {
        if (!reachable.Add(digest) || !content.Exists(digest))
        {
            return;
        }

        var bytes = await content.ReadAllAsync(digest, cancellationToken);
        mediaType = DetectMediaType(bytes, mediaType);
        if (MediaTypes.IsIndex(mediaType))
        {
            foreach (var child in JsonSerializer.Deserialize<ImageIndex>(bytes)!.Manifests)
            {
                await MarkAsync(Digest.Parse(child.Digest), child.MediaType, reachable, cancellationToken);
            }
        }
        else
        {
            var manifest = JsonSerializer.Deserialize<ImageManifest>(bytes)!;
            reachable.Add(Digest.Parse(manifest.Config.Digest));
            foreach (var layer in manifest.Layers)
            {
                reachable.Add(Digest.Parse(layer.Digest));
            }
        }
    }
}
