using k8s.Models;

namespace Stevedore.Controllers.ServiceAccount;

/// <summary>
/// The ServiceAccount controller's decision (upstream serviceaccounts_controller): every active
/// namespace has a "default" ServiceAccount; terminating namespaces are left alone so deletion can finish.
/// </summary>
public static class ServiceAccountLogic
{
    /// <summary>The ServiceAccount every namespace gets.</summary>
    public const string DefaultName = "default";

    /// <summary>Names of active namespaces that have no "default" ServiceAccount, in name order.</summary>
    public static IReadOnlyList<string> NamespacesNeedingDefault(IEnumerable<V1Namespace> namespaces, IEnumerable<V1ServiceAccount> serviceAccounts)
    {
        var have = serviceAccounts
            .Where(sa => sa.Metadata.Name == DefaultName && sa.Metadata.DeletionTimestamp is null)
            .Select(sa => sa.Metadata.NamespaceProperty)
            .ToHashSet(StringComparer.Ordinal);
        return namespaces
            .Where(IsActive)
            .Select(ns => ns.Metadata.Name)
            .Where(name => !have.Contains(name))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The ServiceAccount to create (AlreadyExists on create means someone was faster: fine).</summary>
    public static V1ServiceAccount NewDefault(string namespaceName) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = new V1ObjectMeta { Name = DefaultName, NamespaceProperty = namespaceName },
    };

    private static bool IsActive(V1Namespace ns) =>
        ns.Metadata.DeletionTimestamp is null && ns.Status?.Phase != "Terminating";
}
