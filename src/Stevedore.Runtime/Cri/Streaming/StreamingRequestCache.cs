using System.Security.Cryptography;

namespace Stevedore.Runtime.Cri.Streaming;

/// <summary>
/// Single-use tokens for prepared streaming sessions, as upstream's request cache: each lives a
/// minute, is consumed by the first connection that presents it, and at most 1000 wait at once.
/// </summary>
public sealed class StreamingRequestCache(TimeProvider time)
{
    /// <summary>How long a token stays valid.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>How many unconsumed tokens may exist at once.</summary>
    public const int MaxInFlight = 1000;

    private readonly Dictionary<string, (StreamingRequest Request, DateTimeOffset Expires)> _entries = [];
    private readonly Lock _lock = new();

    /// <summary>Stores <paramref name="request"/> and returns its token; null when too many wait already.</summary>
    public string? Insert(StreamingRequest request)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var expired in _entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
            {
                _entries.Remove(expired);
            }

            if (_entries.Count >= MaxInFlight)
            {
                return null;
            }

            // 8 random bytes, URL-safe base64: unguessable enough for a minute on loopback, short in a URL.
            var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(8)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            _entries[token] = (request, now + Lifetime);
            return token;
        }
    }

    /// <summary>Takes the request behind <paramref name="token"/>; null when unknown, used or expired.</summary>
    public StreamingRequest? Consume(string token)
    {
        lock (_lock)
        {
            if (!_entries.Remove(token, out var entry))
            {
                return null;
            }

            return entry.Expires > time.GetUtcNow() ? entry.Request : null;
        }
    }
}
