namespace Stevedore.ApiServer.Http;

/// <summary>
/// What a request path addresses, parsed once: a resource request
/// (<c>/api/v1/namespaces/ns/pods/name/status</c>, <c>/apis/apps/v1/deployments</c>) or a
/// non-resource path (<c>/version</c>, <c>/openapi/v2</c>).
/// </summary>
public sealed record RequestInfo
{
    public bool IsResourceRequest { get; init; }
    public string Path { get; init; } = "/";
    public string Group { get; init; } = "";
    public string Version { get; init; } = "";
    public string? Namespace { get; init; }
    public string Resource { get; init; } = "";
    public string? Name { get; init; }
    public string? Subresource { get; init; }

    /// <summary>
    /// Parses <c>/api/v1/...</c> and <c>/apis/group/version/...</c>; returns null for
    /// discovery-level paths (<c>/api</c>, <c>/apis/group</c>, <c>/apis/group/version</c>) and anything else.
    /// </summary>
    public static RequestInfo? ParseResourcePath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        int index;
        string group, version;
        if (parts.Length >= 3 && parts[0] == "api")
        {
            group = "";
            version = parts[1];
            index = 2;
        }
        else if (parts.Length >= 4 && parts[0] == "apis")
        {
            group = parts[1];
            version = parts[2];
            index = 3;
        }
        else
        {
            return null;
        }

        var rest = parts.AsSpan(index);
        string? ns = null;

        // "namespaces/{ns}/{resource}..." is a namespaced request; "namespaces/{name}[/status|/finalize]"
        // addresses the namespace itself.
        if (rest.Length >= 3 && rest[0] == "namespaces" && rest[2] is not ("status" or "finalize"))
        {
            ns = Uri.UnescapeDataString(rest[1]);
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            return null;
        }

        return new RequestInfo
        {
            IsResourceRequest = true,
            Path = path,
            Group = group,
            Version = version,
            Namespace = ns,
            Resource = rest[0],
            Name = rest.Length > 1 ? Uri.UnescapeDataString(rest[1]) : null,
            Subresource = rest.Length > 2 ? rest[2] : null,
        };
    }
}
