namespace Stevedore.ApiServer.Printing;

/// <summary>Reads the <c>includeObject</c> query parameter the way the upstream API server does.</summary>
public static class IncludeObjectPolicyParser
{
    /// <summary>
    /// Parses the raw query value. Absent or empty means <see cref="IncludeObjectPolicy.Metadata"/>;
    /// the names are case-sensitive. On failure <paramref name="error"/> holds the BadRequest message.
    /// </summary>
    public static bool TryParse(string? value, out IncludeObjectPolicy policy, out string? error)
    {
        error = null;
        switch (value)
        {
            case null or "" or "Metadata":
                policy = IncludeObjectPolicy.Metadata;
                return true;
            case "None":
                policy = IncludeObjectPolicy.None;
                return true;
            case "Object":
                policy = IncludeObjectPolicy.Object;
                return true;
            default:
                policy = IncludeObjectPolicy.Metadata;
                error = $"unrecognized includeObject value: \"{value}\"";
                return false;
        }
    }
}
