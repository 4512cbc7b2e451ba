using k8s.Models;
using Stevedore.Controllers.RootCaPublisher;

namespace Stevedore.Controllers.Tests.RootCaPublisher;

public class RootCaPublisherLogicTests
{
    private const string Ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    private static V1Namespace Ns(string phase = "Active", bool deleting = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = "team", DeletionTimestamp = deleting ? Build.Now : null },
        Status = new V1NamespaceStatus { Phase = phase },
    };

    private static V1ConfigMap ConfigMap(Dictionary<string, string>? data, Dictionary<string, string>? annotations) => new()
    {
        Metadata = new V1ObjectMeta { Name = RootCaPublisherLogic.ConfigMapName, NamespaceProperty = "team", ResourceVersion = "7", Annotations = annotations, Labels = new Dictionary<string, string> { ["keep"] = "me" } },
        Data = data,
    };

    private static readonly Dictionary<string, string> Described = new() { [RootCaPublisherLogic.DescriptionAnnotation] = RootCaPublisherLogic.Description };

    [Fact]
    public void Decide_NoConfigMap_Create()
    {
        Assert.Equal(RootCaAction.Create, RootCaPublisherLogic.Decide(Ns(), null, Ca));
    }

    [Fact]
    public void Decide_TerminatingNamespace_Nothing()
    {
        Assert.Equal(RootCaAction.None, RootCaPublisherLogic.Decide(Ns("Terminating", deleting: true), null, Ca));
    }

    [Fact]
    public void Decide_RightDataAndDescription_Nothing()
    {
        Assert.Equal(RootCaAction.None, RootCaPublisherLogic.Decide(Ns(), ConfigMap(new() { ["ca.crt"] = Ca }, Described), Ca));
    }

    public static TheoryData<Dictionary<string, string>?, Dictionary<string, string>?> Drifted() => new()
    {
        { new() { ["ca.crt"] = "tampered" }, Described },
        { new() { ["ca.crt"] = Ca, ["extra"] = "x" }, Described },
        { null, Described },
        { new() { ["ca.crt"] = Ca }, null },
        { new() { ["ca.crt"] = Ca }, new() { [RootCaPublisherLogic.DescriptionAnnotation] = "" } },
    };

    [Theory]
    [MemberData(nameof(Drifted))]
    public void Decide_DataOrDescriptionDiffer_Update(Dictionary<string, string>? data, Dictionary<string, string>? annotations)
    {
        Assert.Equal(RootCaAction.Update, RootCaPublisherLogic.Decide(Ns(), ConfigMap(data, annotations), Ca));
    }

    [Fact]
    public void Corrected_SetsExactlyTheCa_KeepsLabelsOtherAnnotationsAndResourceVersion()
    {
        var existing = ConfigMap(new() { ["ca.crt"] = "old", ["extra"] = "x" }, new() { ["other"] = "y" });

        var corrected = RootCaPublisherLogic.Corrected(existing, Ca);

        Assert.Equal(new Dictionary<string, string> { ["ca.crt"] = Ca }, corrected.Data);
        Assert.Equal("y", corrected.Metadata.Annotations["other"]);
        Assert.Equal(RootCaPublisherLogic.Description, corrected.Metadata.Annotations[RootCaPublisherLogic.DescriptionAnnotation]);
        Assert.Equal("me", corrected.Metadata.Labels["keep"]);
        Assert.Equal("7", corrected.Metadata.ResourceVersion);
        Assert.False(existing.Metadata.Annotations!.ContainsKey(RootCaPublisherLogic.DescriptionAnnotation));
    }

    [Fact]
    public void Desired_HoldsTheCaAndTheDescription()
    {
        var desired = RootCaPublisherLogic.Desired("team", Ca);

        Assert.Equal(("kube-root-ca.crt", "team"), (desired.Metadata.Name, desired.Metadata.NamespaceProperty));
        Assert.Equal(Ca, desired.Data["ca.crt"]);
        Assert.StartsWith("Contains a CA bundle that can be used to verify the kube-apiserver", desired.Metadata.Annotations["kubernetes.io/description"], StringComparison.Ordinal);
    }
}
