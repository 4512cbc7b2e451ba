using k8s.Models;

namespace Stevedore.Client.Tests.Support;

internal static class Objects
{
    public static V1ConfigMap ConfigMap(string ns, string name, string resourceVersion = "1", IDictionary<string, string>? labels = null) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, ResourceVersion = resourceVersion, Labels = labels },
    };
}
