using System.Collections.Concurrent;
using k8s.Models;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Tokens of projected serviceAccountToken sources, requested through TokenRequest bound to the pod and
/// reused until they are older than 80% of their lifetime or 24 hours (upstream's kubelet token manager),
/// so a refresh of the volume rotates them well before they expire.
/// </summary>
public sealed class ServiceAccountTokenCache(IPodSources sources, TimeProvider time)
{
    public const long DefaultExpirationSeconds = 3600;
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<TokenKey, IssuedToken> _tokens = new();

    /// <summary>The pod's token for <paramref name="projection"/>, requesting a new one when none is fresh enough.</summary>
    public async Task<string> GetAsync(V1Pod pod, V1ServiceAccountTokenProjection projection, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var serviceAccount = string.IsNullOrEmpty(pod.Spec?.ServiceAccountName) ? "default" : pod.Spec.ServiceAccountName;
        var expirationSeconds = projection.ExpirationSeconds ?? DefaultExpirationSeconds;
        var key = new TokenKey(pod.Metadata.Uid ?? "", ns, serviceAccount, projection.Audience ?? "", expirationSeconds);
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && !NeedsRefresh(cached.IssuedAt, cached.Expiry, now))
        {
            return cached.Token;
        }

        var request = new Authenticationv1TokenRequest
        {
            ApiVersion = "authentication.k8s.io/v1",
            Kind = "TokenRequest",
            Spec = new V1TokenRequestSpec
            {
                Audiences = string.IsNullOrEmpty(projection.Audience) ? [] : [projection.Audience],
                ExpirationSeconds = expirationSeconds,
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            },
        };
        Authenticationv1TokenRequest response;
        try
        {
            response = await sources.RequestTokenAsync(ns, serviceAccount, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cached is not null && now < cached.Expiry && !cancellationToken.IsCancellationRequested)
        {
            // The old token still works; keep it and try again at the next refresh.
            return cached.Token;
        }

        var token = response.Status?.Token;
        if (string.IsNullOrEmpty(token))
        {
            throw new InvalidOperationException($"the TokenRequest for service account {ns}/{serviceAccount} returned no token");
        }

        var expiry = response.Status!.ExpirationTimestamp is { } at
            ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))
            : now.AddSeconds(expirationSeconds);
        _tokens[key] = new IssuedToken(token, now, expiry);
        return token;
    }

    /// <summary>A token needs replacing once 80% of its lifetime has passed, or after 24 hours.</summary>
    public static bool NeedsRefresh(DateTimeOffset issuedAt, DateTimeOffset expiry, DateTimeOffset now) =>
        now >= issuedAt + ((expiry - issuedAt) * 0.8) || now - issuedAt >= MaxAge;

    /// <summary>Drops the tokens of a pod that is gone.</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys.Where(k => k.PodUid == podUid))
        {
            _tokens.TryRemove(key, out _);
        }
    }

    private sealed record TokenKey(string PodUid, string Namespace, string ServiceAccount, string Audience, long ExpirationSeconds);

    private sealed record IssuedToken(string Token, DateTimeOffset IssuedAt, DateTimeOffset Expiry);
}
