using System.Text;
using k8s.Models;
using Stevedore.ApiServer.OpenApi;

namespace Stevedore.ApiServer.Tests.OpenApi;

public class ModelDescriptionsTests
{
    private const string Xml = """
        <?xml version="1.0"?>
        <doc>
            <assembly><name>KubernetesClient</name></assembly>
            <members>
                <member name="T:k8s.Models.V1DeploymentStrategy">
                    <summary>
                    DeploymentStrategy describes how to
                    replace existing pods.
                    </summary>
                </member>
                <member name="P:k8s.Models.V1DeploymentStrategy.Type">
                    <summary>
                    Type of deployment. Can be &quot;Recreate&quot; or &quot;RollingUpdate&quot;.
                    </summary>
                </member>
                <member name="P:k8s.Models.V1PodSpec.Containers">
                    <summary>Containers of the <see cref="T:k8s.Models.V1Pod"/>.</summary>
                </member>
                <member name="M:k8s.Kubernetes.ListNamespacedPod(System.String)">
                    <summary>not a model member</summary>
                </member>
                <member name="P:k8s.Models.V1PodSpec.Volumes">
                    <summary>   </summary>
                </member>
            </members>
        </doc>
        """;

    private static ModelDescriptions Load() => ModelDescriptions.Load(new MemoryStream(Encoding.UTF8.GetBytes(Xml)));

    [Fact]
    public void Load_WrappedSummary_IsJoinedIntoOneLine()
    {
        Assert.Equal("DeploymentStrategy describes how to replace existing pods.", Load().OfType(typeof(V1DeploymentStrategy)));
    }

    [Fact]
    public void Load_PropertySummary_DecodesEntities()
    {
        Assert.Equal("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\".", Load().OfProperty(typeof(V1DeploymentStrategy), "Type"));
    }

    [Fact]
    public void Load_SeeReference_IsRenderedAsItsShortName()
    {
        Assert.Equal("Containers of the V1Pod.", Load().OfProperty(typeof(V1PodSpec), "Containers"));
    }

    [Fact]
    public void Load_NonModelAndEmptyMembers_AreSkipped()
    {
        var descriptions = Load();

        Assert.Equal(3, descriptions.Count);
        Assert.Null(descriptions.OfProperty(typeof(V1PodSpec), "Volumes"));
    }

    [Fact]
    public void Empty_AnyMember_HasNoDescription()
    {
        Assert.Null(ModelDescriptions.Empty.OfType(typeof(V1Pod)));
        Assert.Equal(0, ModelDescriptions.Empty.Count);
    }
}
