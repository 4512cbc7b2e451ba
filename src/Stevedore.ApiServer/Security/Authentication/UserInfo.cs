namespace Stevedore.ApiServer.Security.Authentication;

/// <summary>
/// Who made a request, as Kubernetes authorizers see it (user.Info upstream): a name, an
/// optional uid, groups, and authenticator-specific extra attributes.
/// </summary>
public sealed record UserInfo(
    string Name,
    string? Uid,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Extra)
{
    /// <summary>A user with groups and no extra attributes.</summary>
    public UserInfo(string name, string? uid, IReadOnlyList<string> groups)
        : this(name, uid, groups, EmptyExtra)
    {
    }

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> EmptyExtra =
        new Dictionary<string, IReadOnlyList<string>>();

    public bool IsInGroup(string group) => Groups.Contains(group, StringComparer.Ordinal);

    /// <summary>This user with <see cref="WellKnownGroups.Authenticated"/> added unless present.</summary>
    public UserInfo WithAuthenticatedGroup() =>
        IsInGroup(WellKnownGroups.Authenticated) ? this : this with { Groups = [.. Groups, WellKnownGroups.Authenticated] };
}
