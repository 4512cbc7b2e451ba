using Stevedore.Runtime.Content;

namespace Stevedore.Runtime.Images;

/// <summary>An image resolved to one platform: its manifest, configuration and layers.</summary>
public sealed record ResolvedImage(
    string Name,
    Digest TargetDigest,
    Digest ManifestDigest,
    ImageManifest Manifest,
    Digest ConfigDigest,
    ImageConfig Config)
{
    /// <summary>Docker's short image ID: the first 12 hex digits of the config digest.</summary>
    public string ShortId => ConfigDigest.Hex[..12];

    /// <summary>The uncompressed layer digests, bottom first.</summary>
    public IReadOnlyList<Digest> DiffIds => Config.RootFs.DiffIds.Select(Digest.Parse).ToList();
}
