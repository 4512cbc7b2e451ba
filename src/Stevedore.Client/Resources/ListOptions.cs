namespace Stevedore.Client.Resources;

/// <summary>The query of a list or watch call (the upstream <c>metav1.ListOptions</c> subset clients use).</summary>
public sealed record ListOptions
{
    /// <summary>Label selector in the wire syntax, for example <c>app=web,tier!=db</c>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector in the wire syntax, for example <c>spec.nodeName=node-1</c>.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Empty: the most recent state. "0": any state the server has cached. Otherwise: not older than.</summary>
    public string? ResourceVersion { get; init; }

    public string? ResourceVersionMatch { get; init; }

    /// <summary>Page size for lists; 0 or null for everything at once.</summary>
    public int? Limit { get; init; }

    /// <summary>The continue token of the previous page.</summary>
    public string? Continue { get; init; }

    /// <summary>Ask the server to send BOOKMARK events on watches.</summary>
    public bool AllowWatchBookmarks { get; init; }

    /// <summary>Server-side limit on how long a watch stays open.</summary>
    public int? TimeoutSeconds { get; init; }
}
