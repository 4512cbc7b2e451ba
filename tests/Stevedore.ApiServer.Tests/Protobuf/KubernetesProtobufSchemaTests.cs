using Stevedore.ApiServer.Protobuf;

namespace Stevedore.ApiServer.Tests.Protobuf;

public class KubernetesProtobufSchemaTests
{
    [Theory]
    [InlineData("v1", "ConfigMap", "k8s.io.api.core.v1.ConfigMap")]
    [InlineData("v1", "PodList", "k8s.io.api.core.v1.PodList")]
    [InlineData("v1", "Status", "k8s.io.apimachinery.pkg.apis.meta.v1.Status")]
    [InlineData("v1", "DeleteOptions", "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions")]
    [InlineData("meta.k8s.io/v1", "PartialObjectMetadataList", "k8s.io.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList")]
    [InlineData("apps/v1", "Deployment", "k8s.io.api.apps.v1.Deployment")]
    [InlineData("autoscaling/v1", "Scale", "k8s.io.api.autoscaling.v1.Scale")]
    [InlineData("autoscaling/v2", "HorizontalPodAutoscaler", "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler")]
    [InlineData("policy/v1", "Eviction", "k8s.io.api.policy.v1.Eviction")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "k8s.io.api.rbac.v1.ClusterRoleBinding")]
    [InlineData("authorization.k8s.io/v1", "SelfSubjectRulesReview", "k8s.io.api.authorization.v1.SelfSubjectRulesReview")]
    [InlineData("authentication.k8s.io/v1", "SelfSubjectReview", "k8s.io.api.authentication.v1.SelfSubjectReview")]
    [InlineData("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "k8s.io.api.flowcontrol.v1.FlowSchema")]
    [InlineData("apiextensions.k8s.io/v1", "CustomResourceDefinitionList", "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList")]
    public void FindKind_BuiltInKind_ReturnsItsMessage(string apiVersion, string kind, string expected) =>
        Assert.Equal(expected, KubernetesProtobufSchema.FindKind(apiVersion, kind)?.FullName);

    [Theory]
    [InlineData("example.com/v1", "Widget")]
    [InlineData("v1", "NoSuchKind")]
    [InlineData("", "ConfigMap")]
    [InlineData("v1", "")]
    public void FindKind_UnknownKind_ReturnsNull(string apiVersion, string kind) =>
        Assert.Null(KubernetesProtobufSchema.FindKind(apiVersion, kind));

    [Theory]
    [InlineData("k8s.io.api.authentication.v1.BoundObjectReference", 4, "uid")]
    [InlineData("k8s.io.api.networking.v1.IngressClassParametersReference", 1, "apiGroup")]
    [InlineData("k8s.io.api.admissionregistration.v1.ValidatingWebhookConfiguration", 2, "webhooks")]
    [InlineData("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps", 3, "$ref")]
    [InlineData("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps", 38, "x-kubernetes-preserve-unknown-fields")]
    public void Schema_FieldWhoseProtoNameDiffers_UsesTheGoJsonName(string message, int number, string jsonName) =>
        Assert.Equal(jsonName, KubernetesProtobufSchema.Get(message).ByNumber[number].JsonName);

    [Fact]
    public void Schema_EveryMessageReference_ResolvesToAMessage()
    {
        var unresolved = new List<string>();
        foreach (var name in AllReferencedMessages())
        {
            if (KubernetesProtobufSchema.Find(name) is null)
            {
                unresolved.Add(name);
            }
        }

        Assert.Empty(unresolved);
    }

    private static IEnumerable<string> AllReferencedMessages()
    {
        var queue = new Queue<string>(["k8s.io.api.core.v1.Pod", "k8s.io.api.apps.v1.StatefulSet",
            "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
            "k8s.io.api.admissionregistration.v1.ValidatingAdmissionPolicy"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var name))
        {
            if (!seen.Add(name))
            {
                continue;
            }

            yield return name;
            foreach (var field in KubernetesProtobufSchema.Find(name)?.Fields ?? [])
            {
                if (field.MessageName is { } next)
                {
                    queue.Enqueue(next);
                }
            }
        }
    }
}
