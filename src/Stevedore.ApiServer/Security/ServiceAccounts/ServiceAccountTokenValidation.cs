namespace Stevedore.ApiServer.Security.ServiceAccounts;

/// <summary>The checks of a token's claims that need no lookups: its validity window and its audience.</summary>
public static class ServiceAccountTokenValidation
{
    /// <summary>Clock skew tolerated on exp, nbf and iat, as upstream's JWT library allows.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    /// <summary>Why the claims are unacceptable at <paramref name="now"/> for a server of <paramref name="apiAudiences"/>, or null.</summary>
    public static string? CheckTimesAndAudience(ServiceAccountTokenClaims claims, DateTimeOffset now, IReadOnlyList<string> apiAudiences)
    {
        if (now - Leeway > claims.Expiry)
        {
            return "service account token has expired";
        }

        if (now + Leeway < claims.NotBefore)
        {
            return "service account token is not valid yet";
        }

        if (now + Leeway < claims.IssuedAt)
        {
            return "service account token is issued in the future";
        }

        if (!claims.Audiences.Any(a => apiAudiences.Contains(a, StringComparer.Ordinal)))
        {
            return $"token audiences [{string.Join(" ", claims.Audiences)}] is invalid for the target audiences [{string.Join(" ", apiAudiences)}]";
        }

        return null;
    }

    /// <summary>
    /// Why the token no longer stands, given what the store holds for the objects it names (null
    /// when an object is gone), or null when it does. Objects deleted more than <see cref="Leeway"/>
    /// ago count as gone, as upstream.
    /// </summary>
    public static string? CheckBoundObjects(ServiceAccountTokenClaims claims, DateTimeOffset now,
        ObjectState? serviceAccount, ObjectState? pod, ObjectState? secret, ObjectState? node)
    {
        var ns = claims.Namespace;
        var saName = claims.ServiceAccount.Name;
        if (serviceAccount is null)
        {
            return $"serviceaccounts \"{saName}\" not found";
        }

        if (IsDeleted(serviceAccount, now))
        {
            return $"service account {ns}/{saName} has been deleted";
        }

        if (serviceAccount.Uid != claims.ServiceAccount.Uid)
        {
            return $"service account UID ({serviceAccount.Uid}) does not match claim ({claims.ServiceAccount.Uid})";
        }

        if (claims.Secret is not null)
        {
            if (secret is null || IsDeleted(secret, now))
            {
                return "service account token has been invalidated";
            }

            if (secret.Uid != claims.Secret.Uid)
            {
                return $"secret UID ({secret.Uid}) does not match service account secret ref claim ({claims.Secret.Uid})";
            }
        }

        if (claims.Pod is not null)
        {
            if (pod is null || IsDeleted(pod, now))
            {
                return "service account token has been invalidated";
            }

            if (pod.Uid != claims.Pod.Uid)
            {
                return $"pod UID ({pod.Uid}) does not match service account pod ref claim ({claims.Pod.Uid})";
            }
        }
        else if (claims.Node is not null)
        {
            // Only a token bound to the node itself dies with it; a pod's token names its node for information.
            if (node is null || IsDeleted(node, now))
            {
                return "service account token has been invalidated";
            }

            if (node.Uid != claims.Node.Uid)
            {
                return $"node UID ({node.Uid}) does not match service account node ref claim ({claims.Node.Uid})";
            }
        }

        return null;
    }

    private static bool IsDeleted(ObjectState state, DateTimeOffset now) =>
        state.DeletionTimestamp is { } deleted && deleted < now - Leeway;
}

/// <summary>What token validation needs to know about a stored object.</summary>
public sealed record ObjectState(string Uid, DateTimeOffset? DeletionTimestamp);
