using System.Text;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Images;
using Stevedore.Runtime.Native;

namespace Stevedore.Runtime.Snapshots;

/// <summary>
/// Keeps each image layer unpacked once under <c>&lt;root&gt;/&lt;chainID&gt;/fs</c> (the chain ID names a layer
/// together with everything below it, so equal stacks share directories) and mounts container roots
/// as overlays of those read-only layers, an init layer and a writable upper directory.
/// </summary>
public sealed class Snapshotter
{
    private readonly string _root;
    private readonly ContentStore _content;

    /// <summary>Creates a snapshotter keeping layers under <paramref name="root"/>.</summary>
    public Snapshotter(string root, ContentStore content)
    {
        _root = root;
        _content = content;
        Directory.CreateDirectory(root);
    }

    /// <summary>The chain IDs of a layer stack, bottom first (OCI image spec definition).</summary>
    public static IReadOnlyList<Digest> ChainIds(IReadOnlyList<Digest> diffIds)
    {
        var result = new List<Digest>(diffIds.Count);
        foreach (var diffId in diffIds)
        {
            result.Add(result.Count == 0 ? diffId : Digest.Of(Encoding.ASCII.GetBytes($"{result[^1]} {diffId}")));
        }

        return result;
    }

    /// <summary>The unpacked directory of a chain ID.</summary>
    public string LayerPath(Digest chainId) => Path.Combine(_root, chainId.Hex, "fs");

    /// <summary>
    /// Makes sure every layer of <paramref name="image"/> is unpacked (verifying each uncompressed
    /// stream against its diff ID) and returns the layer directories, top first (overlay lowerdir order).
    /// </summary>
    public async Task<IReadOnlyList<string>> PrepareLayersAsync(ResolvedImage image, CancellationToken cancellationToken)
    {
        var diffIds = image.DiffIds;
        var chainIds = ChainIds(diffIds);
        for (var i = 0; i < chainIds.Count; i++)
        {
            var dir = Path.Combine(_root, chainIds[i].Hex);
            if (Directory.Exists(dir))
            {
                continue;
            }

            var blob = Digest.Parse(image.Manifest.Layers[i].Digest);
            var temp = Path.Combine(_root, "tmp-" + Guid.NewGuid().ToString("N"));
            try
            {
                await using (var stream = _content.OpenRead(blob))
                await using (var tar = await LayerStreams.OpenUncompressedAsync(stream, cancellationToken))
                using (var hashing = new HashingStream(tar, leaveOpen: true))
                {
                    await LayerApplier.ApplyAsync(hashing, Path.Combine(temp, "fs"), cancellationToken);
                    await hashing.DrainAsync(cancellationToken);
                    var actual = hashing.GetDigest();
                    if (actual != diffIds[i])
                    {
                        throw new EngineException(EngineErrorKind.Corrupt, $"layer {blob} unpacks to {actual}, but the image config says {diffIds[i]}");
                    }
                }

                try
                {
                    Directory.Move(temp, dir);
                }
                catch (IOException) when (Directory.Exists(dir))
                {
                    // Another process unpacked the same layer first; theirs is as good as ours.
                }
            }
            finally
            {
                if (Directory.Exists(temp))
                {
                    RemoveTree(temp);
                }
            }
        }

        return chainIds.Select(LayerPath).Reverse().ToList();
    }

    /// <summary>Mounts an overlay at <paramref name="target"/>: <paramref name="lowerTopFirst"/> read-only, <paramref name="upper"/> writable.</summary>
    public static void MountOverlay(IReadOnlyList<string> lowerTopFirst, string upper, string work, string target)
    {
        Directory.CreateDirectory(upper);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(target);
        var options = $"lowerdir={string.Join(':', lowerTopFirst)},upperdir={upper},workdir={work}";
        Libc.Check(Libc.Mount("overlay", target, "overlay", 0, options), $"mount overlay on {target}");
    }

    /// <summary>Unmounts <paramref name="target"/> if it is mounted (lazily, so a straggling process cannot block removal).</summary>
    public static void Unmount(string target)
    {
        if (Libc.Umount2(target, Libc.MntDetach) < 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno is not (Libc.Einval or Libc.Enoent))
            {
                throw new IOException($"umount {target}: errno {errno}");
            }
        }
    }

    /// <summary>Removes layer directories whose chain ID is not in <paramref name="inUse"/>.</summary>
    public int Collect(IReadOnlySet<Digest> inUse)
    {
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(dir);
            if (name.StartsWith("tmp-", StringComparison.Ordinal) || Digest.TryParse("sha256:" + name, out var d) && !inUse.Contains(d))
            {
                RemoveTree(dir);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Deletes a tree (which may hold device nodes and symlinks to anywhere, such as a layer's
    /// <c>up -&gt; ../../..</c>). Never follows a symlink: a link is removed, not entered.
    /// </summary>
    public static void RemoveTree(string path)
    {
        var stat = Libc.LStatModeAndDevice(path);
        if (stat is null)
        {
            return;
        }

        try
        {
            if ((stat.Value.Mode & 0xF000) != 0x4000)
            {
                File.Delete(path);
                return;
            }

            foreach (var child in Directory.EnumerateFileSystemEntries(path).ToList())
            {
                RemoveTree(child);
            }

            Directory.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Someone else (a concurrent cleanup) removed it first.
        }
    }
}
