using System.Text.RegularExpressions;

namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Bootstrap tokens as kubeadm defines them: <c>ID.SECRET</c> (6 and 16 characters of <c>[a-z0-9]</c>) backed by
/// a Secret <c>kube-system/bootstrap-token-ID</c> of type <c>bootstrap.kubernetes.io/token</c>. The token
/// authenticates user <c>system:bootstrap:ID</c> in group <c>system:bootstrappers</c> (plus the Secret's
/// <c>auth-extra-groups</c>); deleting the Secret, or its <c>expiration</c> passing, revokes it.
/// </summary>
public static partial class BootstrapTokens
{
    public const string Namespace = "kube-system";
    public const string SecretType = "bootstrap.kubernetes.io/token";
    public const string SecretNamePrefix = "bootstrap-token-";
    public const string UserPrefix = "system:bootstrap:";
    public const string Group = "system:bootstrappers";

    /// <summary>Keys of the Secret's data.</summary>
    public static class Keys
    {
        public const string TokenId = "token-id";
        public const string TokenSecret = "token-secret";
        public const string Description = "description";
        public const string Expiration = "expiration";
        public const string UsageAuthentication = "usage-bootstrap-authentication";
        public const string ExtraGroups = "auth-extra-groups";
    }

    /// <summary>Splits <c>ID.SECRET</c>; false for anything else.</summary>
    public static bool TryParse(string token, out string id, out string secret)
    {
        ArgumentNullException.ThrowIfNull(token);
        var match = TokenPattern().Match(token);
        id = match.Success ? match.Groups[1].Value : "";
        secret = match.Success ? match.Groups[2].Value : "";
        return match.Success;
    }

    public static string SecretName(string id) => SecretNamePrefix + id;

    /// <summary>Whether an extra group may be granted by a bootstrap token (it must stay inside system:bootstrappers:).</summary>
    public static bool IsValidExtraGroup(string group) => ExtraGroupPattern().IsMatch(group);

    [GeneratedRegex("^([a-z0-9]{6})\\.([a-z0-9]{16})$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtraGroupPattern();
}
