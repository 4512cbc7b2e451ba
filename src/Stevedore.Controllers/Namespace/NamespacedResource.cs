namespace Stevedore.Controllers.Namespace;

/// <summary>A namespaced API resource found by discovery, with the verbs that matter for emptying a namespace.</summary>
public sealed record NamespacedResource(string Group, string Version, string Resource, bool CanDeleteCollection = true, bool CanList = true, bool CanDelete = true)
{
    /// <summary>"resource.group" as upstream prints it in conditions (core resources keep the trailing dot: "pods.").</summary>
    public string GroupResource => $"{Resource}.{Group}";
}
