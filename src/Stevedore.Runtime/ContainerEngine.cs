using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Images;
using Stevedore.Runtime.Registry;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime;

/// <summary>
/// The container engine: images in a content store, layers unpacked by the snapshotter, containers
/// run by runc with their state on disk. Several engine instances (processes) may share one data
/// directory; a new instance picks up the containers a previous one left.
/// </summary>
public sealed partial class ContainerEngine
{
    /// <summary>Opens the engine over <see cref="EngineOptions.DataDir"/>, creating it when missing.</summary>
    public ContainerEngine(EngineOptions options)
    {
        Options = options;
        Directory.CreateDirectory(options.DataDir);
        Content = new ContentStore(Path.Combine(options.DataDir, "content"));
        Images = new ImageStore(Content, options.DataDir);
        Snapshots = new Snapshotter(Path.Combine(options.DataDir, "snapshots"), Content);
        Containers = new ContainerStore(ContainersDirOf(options));
        Runc = new RuncClient(options.Runtime, options.RuntimeRoot);
    }

    public EngineOptions Options { get; }
    public ContentStore Content { get; }
    public ImageStore Images { get; }
    public Snapshotter Snapshots { get; }
    public ContainerStore Containers { get; }
    public RuncClient Runc { get; }

    /// <summary>The cgroup path runc puts a container in.</summary>
    public string CgroupPathOf(string id) => CgroupPathOf(Options, id);

    private static string CgroupPathOf(EngineOptions options, string id) => options.CgroupParent.TrimEnd('/') + "/" + id;

    private static string ContainersDirOf(EngineOptions options) => Path.Combine(options.DataDir, "containers");

    /// <summary>Imports an OCI layout (directory or tarball) or a docker save tarball.</summary>
    public Task<IReadOnlyList<ImageReference>> ImportAsync(string path, string? name, CancellationToken cancellationToken) =>
        new ImageImporter(Images).ImportAsync(path, name, cancellationToken);

    /// <summary>Exports images as an OCI layout tarball (with a docker-save manifest.json).</summary>
    public Task ExportAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken) =>
        new ImageExporter(Images).ExportAsync(names, output, cancellationToken);

    /// <summary>Resolves an image by name or ID.</summary>
    public Task<ResolvedImage> InspectImageAsync(string nameOrId, CancellationToken cancellationToken) =>
        Images.ResolveAsync(nameOrId, cancellationToken);

    /// <summary>Gives an existing image another name.</summary>
    public async Task<ImageReference> TagAsync(string source, string target, CancellationToken cancellationToken)
    {
        var record = await Images.FindAsync(source, cancellationToken);
        var reference = ImageReference.Parse(target);
        Images.Tag(reference, record.Target);
        return reference;
    }

    /// <summary>
    /// Removes an image name (docker rmi) and collects what no name or container needs any more.
    /// An image a container uses cannot be removed unless <paramref name="force"/>.
    /// </summary>
    public async Task<string> RemoveImageAsync(string nameOrId, bool force, CancellationToken cancellationToken)
    {
        var record = await Images.FindAsync(nameOrId, cancellationToken);
        var resolved = await Images.ResolveAsync(record, cancellationToken);
        var sameTarget = Images.List().Count(r => r.Target.Digest == record.Target.Digest);
        if (!force && sameTarget == 1)
        {
            var user = Containers.List().FirstOrDefault(c => c.ImageId == resolved.ConfigDigest.ToString());
            if (user is not null)
            {
                throw new EngineException(EngineErrorKind.Conflict, $"image {nameOrId} is used by container {user.ShortId} ({user.Name}); remove it first or use --force");
            }
        }

        Images.Untag(record.Name);
        await CollectGarbageAsync(cancellationToken);
        return record.Name;
    }

    /// <summary>Deletes blobs no tag reaches and layer directories no image or container uses.</summary>
    public async Task<(int Blobs, int Layers)> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        var blobs = Content.Collect(await Images.ReachableAsync(cancellationToken));
        var inUse = new HashSet<Digest>();
        foreach (var record in Images.List())
        {
            try
            {
                var image = await Images.ResolveAsync(record, cancellationToken);
                inUse.UnionWith(Snapshotter.ChainIds(image.DiffIds));
            }
            catch (EngineException)
            {
                // An image whose blobs are gone (index for another platform): nothing to keep.
            }
        }

        foreach (var container in Containers.List())
        {
            inUse.UnionWith(container.LayerChainIds.Select(Digest.Parse));
        }

        foreach (var removed in Directory.EnumerateDirectories(ContainersDirOf(Options), ".removed-*"))
        {
            // --rm containers whose supervisor exited before their files were gone.
            Snapshotter.RemoveTree(removed);
        }

        return (blobs.Count, Snapshots.Collect(inUse));
    }

    /// <summary>Pulls an image from its registry (or a configured mirror) and tags it locally.</summary>
    public async Task<ResolvedImage> PullAsync(string reference, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        var parsed = ImageReference.Parse(reference);
        using var http = CreateHttpClient();
        await new RegistryClient(http, RegistryConfig.Load(Options.RegistryConfigPath)).PullAsync(parsed, Images, progress, cancellationToken);
        return await Images.ResolveAsync(parsed.ToString(), cancellationToken);
    }

    /// <summary>Pushes a local image to <paramref name="target"/> (its own name when null); returns the pushed digest.</summary>
    public async Task<Digest> PushAsync(string localName, string? target, IProgress<BlobProgress>? progress, CancellationToken cancellationToken, int chunkSize = 0)
    {
        var record = await Images.FindAsync(localName, cancellationToken);
        var parsed = ImageReference.Parse(target ?? record.Name);
        using var http = CreateHttpClient();
        var client = new RegistryClient(http, RegistryConfig.Load(Options.RegistryConfigPath)) { UploadChunkSize = chunkSize };
        return await client.PushAsync(record.Name, parsed, Images, progress, cancellationToken);
    }

    private static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromMinutes(30) };
}
