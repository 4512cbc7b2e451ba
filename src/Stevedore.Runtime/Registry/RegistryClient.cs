using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Images;

namespace Stevedore.Runtime.Registry;

/// <summary>
/// An OCI distribution API client: pulls images into an <see cref="ImageStore"/> (HEAD then GET for
/// manifests, every blob verified against its digest, interrupted downloads resumed with a Range request)
/// and pushes them (blobs by monolithic or chunked upload, then manifests). Authentication follows the
/// registry's WWW-Authenticate challenge: anonymous, Basic, or a Bearer token from the named realm.
/// </summary>
public sealed class RegistryClient(HttpClient http, RegistryConfig config)
{
    private readonly Dictionary<string, AuthenticationHeaderValue> _tokens = new(StringComparer.Ordinal);

    /// <summary>Chunk size for chunked uploads; 0 means one monolithic PUT per blob.</summary>
    public int UploadChunkSize { get; set; }

    /// <summary>Pulls <paramref name="reference"/> into <paramref name="images"/> and tags it; returns the top-level descriptor.</summary>
    public async Task<Descriptor> PullAsync(ImageReference reference, ImageStore images, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var endpoint in config.Endpoints(reference.Registry, reference.RegistryHost))
        {
            try
            {
                var target = await PullFromAsync(endpoint, reference, images, progress, cancellationToken);
                images.Tag(reference, target);
                return target;
            }
            catch (Exception ex) when (ex is HttpRequestException or EngineException { Kind: EngineErrorKind.Registry })
            {
                last = ex;
            }
        }

        throw last is EngineException engine ? engine : new EngineException(EngineErrorKind.Registry, $"pull {reference}: {last?.Message}", last);
    }

    /// <summary>Pushes the local image <paramref name="localName"/> as <paramref name="target"/>; returns the pushed manifest digest.</summary>
    public async Task<Digest> PushAsync(string localName, ImageReference target, ImageStore images, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        var record = await images.FindAsync(localName, cancellationToken);
        var endpoint = config.Endpoints(target.Registry, target.RegistryHost)[^1];
        var scope = $"repository:{target.Repository}:pull,push";
        var topDigest = Digest.Parse(record.Target.Digest);
        var topBytes = await images.Content.ReadAllAsync(topDigest, cancellationToken);
        var topType = ImageStore.DetectMediaType(topBytes, record.Target.MediaType);
        var manifests = new List<(Digest Digest, byte[] Bytes, string MediaType)>();
        if (MediaTypes.IsIndex(topType))
        {
            foreach (var child in JsonSerializer.Deserialize<ImageIndex>(topBytes)!.Manifests)
            {
                var digest = Digest.Parse(child.Digest);
                if (!images.Content.Exists(digest))
                {
                    throw new EngineException(EngineErrorKind.InvalidArgument, $"cannot push {localName}: the index names {digest} ({child.Platform?.Os}/{child.Platform?.Architecture}), which was never pulled");
                }

                var bytes = await images.Content.ReadAllAsync(digest, cancellationToken);
                manifests.Add((digest, bytes, ImageStore.DetectMediaType(bytes, child.MediaType)));
            }
        }

        manifests.Add((topDigest, topBytes, topType));
        foreach (var (_, bytes, type) in manifests.Where(m => MediaTypes.IsManifest(m.MediaType)))
        {
            var manifest = JsonSerializer.Deserialize<ImageManifest>(bytes)!;
            foreach (var blob in manifest.Layers.Append(manifest.Config))
            {
                await PushBlobAsync(endpoint, target, scope, Digest.Parse(blob.Digest), images.Content, progress, cancellationToken);
            }
        }

        foreach (var (digest, bytes, type) in manifests)
        {
            // Children by digest, the top level by the requested tag.
            var tag = digest == topDigest ? target.Tag ?? digest.ToString() : digest.ToString();
            using var request = new HttpRequestMessage(HttpMethod.Put, ManifestUri(endpoint, target.Repository, tag)) { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(type);
            using var response = await SendAsync(request, endpoint, scope, cancellationToken);
            await EnsureSuccessAsync(response, $"push manifest {digest}", cancellationToken);
        }

        return topDigest;
    }

    private async Task<Descriptor> PullFromAsync(Uri endpoint, ImageReference reference, ImageStore images, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        var scope = $"repository:{reference.Repository}:pull";
        var top = await FetchManifestAsync(endpoint, reference.Repository, reference.Reference, reference.Digest, images.Content, scope, cancellationToken);
        var manifestDescriptor = top;
        if (MediaTypes.IsIndex(top.MediaType))
        {
            var index = JsonSerializer.Deserialize<ImageIndex>(await images.Content.ReadAllAsync(Digest.Parse(top.Digest), cancellationToken))!;
            manifestDescriptor = PlatformSelector.Select(index)
                ?? throw new EngineException(EngineErrorKind.NotFound, $"{reference} has no image for {PlatformSelector.Current}");
            manifestDescriptor = await FetchManifestAsync(endpoint, reference.Repository, manifestDescriptor.Digest, manifestDescriptor.Digest, images.Content, scope, cancellationToken);
        }

        var manifest = JsonSerializer.Deserialize<ImageManifest>(await images.Content.ReadAllAsync(Digest.Parse(manifestDescriptor.Digest), cancellationToken))
            ?? throw new EngineException(EngineErrorKind.Corrupt, $"manifest {manifestDescriptor.Digest} is empty");
        foreach (var blob in manifest.Layers.Prepend(manifest.Config))
        {
            await PullBlobAsync(endpoint, reference.Repository, blob, images.Content, scope, progress, cancellationToken);
        }

        return top;
    }

    private async Task<Descriptor> FetchManifestAsync(Uri endpoint, string repository, string reference, string? expectedDigest, ContentStore content, string scope, CancellationToken cancellationToken)
    {
        // HEAD first: when the digest is already here, the manifest need not be downloaded again.
        using (var head = new HttpRequestMessage(HttpMethod.Head, ManifestUri(endpoint, repository, reference)))
        {
            head.Headers.Accept.ParseAdd(MediaTypes.ManifestAccept);
            using var response = await SendAsync(head, endpoint, scope, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new EngineException(EngineErrorKind.NotFound, $"manifest for {repository}:{reference} not found on {endpoint.Authority}");
            }

            await EnsureSuccessAsync(response, $"HEAD manifest {repository}:{reference}", cancellationToken);
            if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
                && Digest.TryParse(values.FirstOrDefault(), out var known)
                && content.Exists(known)
                && (expectedDigest is null || expectedDigest == known.ToString()))
            {
                var bytes = await content.ReadAllAsync(known, cancellationToken);
                return new Descriptor { Digest = known.ToString(), Size = bytes.Length, MediaType = ImageStore.DetectMediaType(bytes, response.Content.Headers.ContentType?.MediaType) };
            }
        }

        using var get = new HttpRequestMessage(HttpMethod.Get, ManifestUri(endpoint, repository, reference));
        get.Headers.Accept.ParseAdd(MediaTypes.ManifestAccept);
        using var manifestResponse = await SendAsync(get, endpoint, scope, cancellationToken);
        await EnsureSuccessAsync(manifestResponse, $"GET manifest {repository}:{reference}", cancellationToken);
        var body = await manifestResponse.Content.ReadAsByteArrayAsync(cancellationToken);
        var actual = Digest.Of(body);
        var stated = manifestResponse.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.FirstOrDefault() : null;
        var expected = expectedDigest ?? stated;
        if (expected is not null && expected != actual.ToString())
        {
            throw new EngineException(EngineErrorKind.Corrupt, $"manifest {repository}:{reference}: expected digest {expected}, got {actual}");
        }

        await content.WriteAsync(body, cancellationToken);
        return new Descriptor { Digest = actual.ToString(), Size = body.Length, MediaType = ImageStore.DetectMediaType(body, manifestResponse.Content.Headers.ContentType?.MediaType) };
    }

    private async Task PullBlobAsync(Uri endpoint, string repository, Descriptor blob, ContentStore content, string scope, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        var digest = Digest.Parse(blob.Digest);
        if (content.Exists(digest))
        {
            progress?.Report(new BlobProgress(blob.Digest, blob.Size, blob.Size, "Exists"));
            return;
        }

        // Download into the store's ingest file; a dropped connection continues from where it stopped.
        var partial = content.IngestPathOf(digest);
        var committed = false;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint, $"/v2/{repository}/blobs/{digest}"));
                if (have > 0)
                {
                    request.Headers.Range = new RangeHeaderValue(have, null);
                }

                try
                {
                    using var response = await SendAsync(request, endpoint, scope, cancellationToken);
                    await EnsureSuccessAsync(response, $"GET blob {digest}", cancellationToken);
                    var append = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
                    await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
                    await using var file = new FileStream(partial, append ? FileMode.Append : FileMode.Create, FileAccess.Write);
                    var buffer = new byte[81920];
                    var done = append ? have : 0;
                    int n;
                    while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                        done += n;
                        progress?.Report(new BlobProgress(blob.Digest, done, blob.Size, "Downloading"));
                    }

                    break;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && attempt < 3 && !cancellationToken.IsCancellationRequested)
                {
                    // Retry: the partial file keeps what arrived.
                }
            }

            await content.CommitIngestAsync(partial, digest, blob.Size > 0 ? blob.Size : -1, cancellationToken);
            committed = true;
            progress?.Report(new BlobProgress(blob.Digest, blob.Size, blob.Size, "Done"));
        }
        finally
        {
            if (!committed && cancellationToken.IsCancellationRequested is false)
            {
                // A failed (not cancelled) download starts over next time: what is there may be wrong.
                File.Delete(partial);
            }
        }
    }

    private async Task PushBlobAsync(Uri endpoint, ImageReference target, string scope, Digest digest, ContentStore content, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        var size = content.SizeOf(digest);
        using (var head = new HttpRequestMessage(HttpMethod.Head, new Uri(endpoint, $"/v2/{target.Repository}/blobs/{digest}")))
        using (var exists = await SendAsync(head, endpoint, scope, cancellationToken))
        {
            if (exists.IsSuccessStatusCode)
            {
                progress?.Report(new BlobProgress(digest.ToString(), size, size, "Exists"));
                return;
            }
        }

        Uri location;
        using (var start = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, $"/v2/{target.Repository}/blobs/uploads/")))
        using (var started = await SendAsync(start, endpoint, scope, cancellationToken))
        {
            await EnsureSuccessAsync(started, $"start upload of {digest}", cancellationToken);
            location = ResolveLocation(endpoint, started.Headers.Location);
        }

        if (UploadChunkSize > 0)
        {
            await using var stream = content.OpenRead(digest);
            var buffer = new byte[UploadChunkSize];
            long offset = 0;
            int n;
            while ((n = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken)) > 0)
            {
                using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(buffer, 0, n) };
                patch.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                patch.Content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + n - 1);
                using var patched = await SendAsync(patch, endpoint, scope, cancellationToken);
                await EnsureSuccessAsync(patched, $"upload chunk of {digest}", cancellationToken);
                location = ResolveLocation(endpoint, patched.Headers.Location ?? location);
                offset += n;
                progress?.Report(new BlobProgress(digest.ToString(), offset, size, "Uploading"));
            }

            using var finish = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest));
            using var finished = await SendAsync(finish, endpoint, scope, cancellationToken);
            await EnsureSuccessAsync(finished, $"finish upload of {digest}", cancellationToken);
        }
        else
        {
            await using var stream = content.OpenRead(digest);
            using var put = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = new StreamContent(stream) };
            put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            put.Content.Headers.ContentLength = size;
            using var response = await SendAsync(put, endpoint, scope, cancellationToken);
            await EnsureSuccessAsync(response, $"upload {digest}", cancellationToken);
        }

        progress?.Report(new BlobProgress(digest.ToString(), size, size, "Done"));
    }

    /// <summary>Sends a request; on 401 answers the challenge (Basic or Bearer) once and retries.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Uri endpoint, string scope, CancellationToken cancellationToken)
    {
        var key = endpoint.Authority + " " + scope;
        if (_tokens.TryGetValue(key, out var cached))
        {
            request.Headers.Authorization = cached;
        }

        var retry = await CloneAsync(request, cancellationToken);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = AuthChallenge.Parse(response.Headers.WwwAuthenticate.ToString());
        if (challenge is null)
        {
            return response;
        }

        var authorization = await AnswerAsync(challenge, endpoint, scope, cancellationToken);
        if (authorization is null)
        {
            return response;
        }

        response.Dispose();
        _tokens[key] = authorization;
        retry.Headers.Authorization = authorization;
        return await http.SendAsync(retry, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private async Task<AuthenticationHeaderValue?> AnswerAsync(AuthChallenge challenge, Uri endpoint, string scope, CancellationToken cancellationToken)
    {
        var credentials = config.Credentials.TryGetValue(endpoint.Authority, out var c) ? c : ((string, string)?)null;
        var basic = credentials is { } cred
            ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(cred.Item1 + ":" + cred.Item2)))
            : null;
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return basic ?? throw new EngineException(EngineErrorKind.Registry, $"{endpoint.Authority} requires a username and password");
        }

        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || !challenge.Parameters.TryGetValue("realm", out var realm))
        {
            return null;
        }

        var query = new List<string>();
        if (challenge.Parameters.TryGetValue("service", out var service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.Add("scope=" + Uri.EscapeDataString(challenge.Parameters.GetValueOrDefault("scope") ?? scope));
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, realm + (realm.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', query));
        tokenRequest.Headers.Authorization = basic;
        using var tokenResponse = await http.SendAsync(tokenRequest, cancellationToken);
        await EnsureSuccessAsync(tokenResponse, $"token from {realm}", cancellationToken);
        using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsByteArrayAsync(cancellationToken));
        var token = json.RootElement.TryGetProperty("token", out var t) ? t.GetString()
            : json.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
        return token is null ? null : new AuthenticationHeaderValue("Bearer", token);
    }

    private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.Content is not null)
        {
            // Bodies are small (manifests, chunks) or streamed blobs; a blob stream is buffered only if challenged.
            var bytes = request.Content is StreamContent ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            if (bytes is not null)
            {
                clone.Content = new ByteArrayContent(bytes);
                foreach (var header in request.Content.Headers)
                {
                    clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }
            else
            {
                clone.Content = request.Content;
            }
        }

        return clone;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = response.RequestMessage?.Method == HttpMethod.Head ? "" : await response.Content.ReadAsStringAsync(cancellationToken);
        var message = body;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0)
            {
                message = string.Join("; ", errors.EnumerateArray().Select(e => $"{e.GetProperty("code").GetString()}: {e.GetProperty("message").GetString()}"));
            }
        }
        catch (JsonException)
        {
        }

        var kind = response.StatusCode == HttpStatusCode.NotFound ? EngineErrorKind.NotFound : EngineErrorKind.Registry;
        throw new EngineException(kind, $"{what}: {(int)response.StatusCode} {response.ReasonPhrase}{(message.Length > 0 ? ": " + message.Trim() : "")}");
    }

    private static Uri ManifestUri(Uri endpoint, string repository, string reference) => new(endpoint, $"/v2/{repository}/manifests/{reference}");

    private static Uri ResolveLocation(Uri endpoint, Uri? location) =>
        location is null ? throw new EngineException(EngineErrorKind.Registry, "upload response has no Location")
        : location.IsAbsoluteUri ? location : new Uri(endpoint, location);

    private static Uri WithDigest(Uri location, Digest digest) =>
        new(location + (location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest.ToString()));
}
