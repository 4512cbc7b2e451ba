using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Recognises bootstrap tokens (<see cref="BootstrapTokens"/>) by their Secret, read straight from the store so a
/// deleted Secret stops the token at once. A token is accepted only when its Secret has the bootstrap type, the
/// same id and secret, <c>usage-bootstrap-authentication: true</c>, no deletionTimestamp and no past
/// <c>expiration</c>.
/// </summary>
public sealed class BootstrapTokenAuthenticator(IStore store, TimeProvider time) : ITokenAuthenticator
{
    public async ValueTask<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!BootstrapTokens.TryParse(token, out var id, out var secret))
        {
            return null;
        }

        // The core group's storage key, as Registry/ObjectKeys lays it out.
        var kv = await store.GetAsync($"/registry/secrets/{BootstrapTokens.Namespace}/{BootstrapTokens.SecretName(id)}", cancellationToken);
        return kv is null ? null : UserOf(kv.Value.Span, id, secret, time.GetUtcNow());
    }

    /// <summary>The user a stored bootstrap-token Secret grants to <c>id.secret</c>, or null when it grants nothing.</summary>
    public static UserInfo? UserOf(ReadOnlySpan<byte> storedSecret, string id, string secret, DateTimeOffset now)
    {
        Dictionary<string, string> data;
        try
        {
            using var document = JsonDocument.Parse(storedSecret.ToArray());
            var root = document.RootElement;
            if (Text(root, "type") != BootstrapTokens.SecretType
                || root.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("deletionTimestamp", out var deleted) && deleted.ValueKind == JsonValueKind.String)
            {
                return null;
            }

            data = [];
            if (root.TryGetProperty("data", out var values) && values.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in values.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        data[property.Name] = Encoding.UTF8.GetString(Convert.FromBase64String(property.Value.GetString()!));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }

        if (data.GetValueOrDefault(BootstrapTokens.Keys.TokenId) != id
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(data.GetValueOrDefault(BootstrapTokens.Keys.TokenSecret) ?? ""), Encoding.UTF8.GetBytes(secret))
            || data.GetValueOrDefault(BootstrapTokens.Keys.UsageAuthentication) != "true")
        {
            return null;
        }

        if (data.TryGetValue(BootstrapTokens.Keys.Expiration, out var expiration)
            && (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires) || expires <= now))
        {
            // An unreadable expiration counts as expired, as upstream.
            return null;
        }

        var groups = new List<string> { BootstrapTokens.Group };
        foreach (var extra in (data.GetValueOrDefault(BootstrapTokens.Keys.ExtraGroups) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!BootstrapTokens.IsValidExtraGroup(extra))
            {
                // A Secret granting anything outside system:bootstrappers: authenticates no one.
                return null;
            }

            if (!groups.Contains(extra))
            {
                groups.Add(extra);
            }
        }

        return new UserInfo(BootstrapTokens.UserPrefix + id, null, groups);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
