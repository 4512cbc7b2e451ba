namespace Stevedore.Runtime.Content;

/// <summary>
/// Blobs addressed by sha256 under <c>&lt;root&gt;/blobs/sha256/&lt;hex&gt;</c>. Every write is verified
/// against its expected digest and size and lands by rename, so a reader never sees a partial blob.
/// Garbage collection is mark-and-sweep: the caller names the digests still referenced.
/// </summary>
public sealed class ContentStore
{
    private readonly string _blobDir;
    private readonly string _ingestDir;

    /// <summary>Opens (and creates) a store rooted at <paramref name="root"/>.</summary>
    public ContentStore(string root)
    {
        _blobDir = Path.Combine(root, "blobs", "sha256");
        _ingestDir = Path.Combine(root, "ingest");
        Directory.CreateDirectory(_blobDir);
        Directory.CreateDirectory(_ingestDir);
    }

    /// <summary>The file path of a blob (which may not exist).</summary>
    public string PathOf(Digest digest) => Path.Combine(_blobDir, digest.Hex);

    /// <summary>Whether the blob is present.</summary>
    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    /// <summary>The size of a present blob.</summary>
    public long SizeOf(Digest digest) => new FileInfo(PathOf(digest)).Length;

    /// <summary>Opens a blob for reading.</summary>
    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            throw new EngineException(EngineErrorKind.NotFound, $"blob {digest} not found in the content store");
        }
    }

    /// <summary>Reads a whole (small) blob.</summary>
    public async Task<byte[]> ReadAllAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(digest), cancellationToken);
        }
        catch (FileNotFoundException)
        {
            throw new EngineException(EngineErrorKind.NotFound, $"blob {digest} not found in the content store");
        }
    }

    /// <summary>Stores bytes whose digest is computed here.</summary>
    public async Task<Digest> WriteAsync(byte[] data, CancellationToken cancellationToken)
    {
        var digest = Digest.Of(data);
        using var stream = new MemoryStream(data, writable: false);
        await WriteAsync(stream, digest, data.Length, cancellationToken);
        return digest;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the store. When <paramref name="expected"/> is given the
    /// content must hash to it (and have <paramref name="expectedSize"/> bytes when that is non-negative),
    /// otherwise nothing is kept and an <see cref="EngineException"/> of kind Corrupt is thrown.
    /// </summary>
    public async Task<(Digest Digest, long Size)> WriteAsync(Stream source, Digest? expected, long expectedSize, CancellationToken cancellationToken)
    {
        if (expected is { } known && Exists(known))
        {
            return (known, SizeOf(known));
        }

        var temp = Path.Combine(_ingestDir, Guid.NewGuid().ToString("N"));
        try
        {
            Digest digest;
            long size;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            using (var hashing = new HashingStream(source, leaveOpen: true))
            {
                await hashing.CopyToAsync(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
                digest = hashing.GetDigest();
                size = hashing.BytesRead;
            }

            if (expected is { } want && want != digest)
            {
                throw new EngineException(EngineErrorKind.Corrupt, $"digest mismatch: expected {want}, got {digest} ({size} bytes)");
            }

            if (expectedSize >= 0 && expectedSize != size)
            {
                throw new EngineException(EngineErrorKind.Corrupt, $"size mismatch for {digest}: expected {expectedSize} bytes, got {size}");
            }

            File.Move(temp, PathOf(digest), overwrite: true);
            return (digest, size);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Where a download of <paramref name="digest"/> accumulates (same filesystem as the blobs, so committing is a
    /// rename; a fixed name, so an interrupted download can be resumed).
    /// </summary>
    public string IngestPathOf(Digest digest) => Path.Combine(_ingestDir, digest.Hex + ".partial");

    /// <summary>Verifies a finished ingest file against its digest and size and moves it into the store; deletes it when wrong.</summary>
    public async Task CommitIngestAsync(string ingestPath, Digest expected, long expectedSize, CancellationToken cancellationToken)
    {
        try
        {
            Digest actual;
            long size;
            await using (var file = new FileStream(ingestPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            {
                size = file.Length;
                actual = Digest.FromHash(await System.Security.Cryptography.SHA256.HashDataAsync(file, cancellationToken));
            }

            if (actual != expected)
            {
                throw new EngineException(EngineErrorKind.Corrupt, $"digest mismatch: expected {expected}, got {actual} ({size} bytes)");
            }

            if (expectedSize >= 0 && expectedSize != size)
            {
                throw new EngineException(EngineErrorKind.Corrupt, $"size mismatch for {expected}: expected {expectedSize} bytes, got {size}");
            }

            File.Move(ingestPath, PathOf(expected), overwrite: true);
        }
        finally
        {
            File.Delete(ingestPath);
        }
    }

    /// <summary>All blobs in the store.</summary>
    public IEnumerable<Digest> List() =>
        Directory.EnumerateFiles(_blobDir)
            .Select(path => Digest.TryParse("sha256:" + Path.GetFileName(path), out var d) ? d : (Digest?)null)
            .Where(d => d is not null)
            .Select(d => d!.Value);

    /// <summary>Deletes every blob not in <paramref name="referenced"/>, plus leftover ingest files; returns the removed digests.</summary>
    public IReadOnlyList<Digest> Collect(IReadOnlySet<Digest> referenced)
    {
        var removed = new List<Digest>();
        foreach (var digest in List().ToList())
        {
            if (!referenced.Contains(digest))
            {
                File.Delete(PathOf(digest));
                removed.Add(digest);
            }
        }

        foreach (var leftover in Directory.EnumerateFiles(_ingestDir))
        {
            // An ingest file older than a minute belongs to a crashed writer.
            if (File.GetLastWriteTimeUtc(leftover) < DateTime.UtcNow.AddMinutes(-1))
            {
                File.Delete(leftover);
            }
        }

        return removed;
    }
}
