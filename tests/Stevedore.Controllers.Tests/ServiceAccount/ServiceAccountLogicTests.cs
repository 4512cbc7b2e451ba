using k8s.Models;
using Stevedore.Controllers.ServiceAccount;

namespace Stevedore.Controllers.Tests.ServiceAccount;

public class ServiceAccountLogicTests
{
    private static V1Namespace Ns(string name, string phase = "Active", bool deleting = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, DeletionTimestamp = deleting ? Build.Now : null },
        Status = new V1NamespaceStatus { Phase = phase },
    };

    private static V1ServiceAccount Sa(string ns, string name = "default") => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } };

    [Fact]
    public void NamespacesNeedingDefault_Mixed_OnlyActiveWithoutDefault()
    {
        var namespaces = new[] { Ns("has"), Ns("missing"), Ns("other-sa-only"), Ns("dying", "Terminating", deleting: true), Ns("b-missing") };
        var accounts = new[] { Sa("has"), Sa("other-sa-only", "builder") };

        Assert.Equal(["b-missing", "missing", "other-sa-only"], ServiceAccountLogic.NamespacesNeedingDefault(namespaces, accounts));
    }

    [Fact]
    public void NewDefault_Namespace_NamedDefault()
    {
        var sa = ServiceAccountLogic.NewDefault("team");

        Assert.Equal(("default", "team"), (sa.Metadata.Name, sa.Metadata.NamespaceProperty));
    }
}
