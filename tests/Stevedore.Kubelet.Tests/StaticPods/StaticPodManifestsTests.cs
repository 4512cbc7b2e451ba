using Stevedore.Kubelet.StaticPods;

namespace Stevedore.Kubelet.Tests.StaticPods;

public sealed class StaticPodManifestsTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: etcd
          namespace: kube-system
        spec:
          containers:
          - name: etcd
            image: registry.local/etcd:3.5
        """;

    [Fact]
    public void Parse_Manifest_NamedAfterTheNodeBoundAndDefaulted()
    {
        var (pod, error) = StaticPodManifests.Parse("etcd.yaml", Manifest, "node-a");

        Assert.Null(error);
        Assert.Equal(("etcd-node-a", "kube-system", "node-a"), (pod!.Metadata.Name, pod.Metadata.NamespaceProperty, pod.Spec.NodeName));
        Assert.Equal(32, pod.Metadata.Uid.Length);
        Assert.Equal(pod.Metadata.Uid, pod.Metadata.Annotations["kubernetes.io/config.hash"]);
        Assert.Equal("file", pod.Metadata.Annotations["kubernetes.io/config.source"]);
        Assert.Equal(("Always", "ClusterFirst", 30L), (pod.Spec.RestartPolicy, pod.Spec.DnsPolicy, pod.Spec.TerminationGracePeriodSeconds));
        Assert.Equal("IfNotPresent", pod.Spec.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Uid_SameFileAndNode_Stable_OtherwiseDifferent()
    {
        var a = StaticPodManifests.Uid("etcd.yaml", Manifest, "node-a");

        Assert.Equal(a, StaticPodManifests.Uid("etcd.yaml", Manifest, "node-a"));
        Assert.NotEqual(a, StaticPodManifests.Uid("etcd.yaml", Manifest, "node-b"));
        Assert.NotEqual(a, StaticPodManifests.Uid("etcd.yaml", Manifest + "\n# edited", "node-a"));
    }

    [Theory]
    [InlineData("kind: Deployment\nmetadata: {name: x}\n", "kind must be Pod")]
    [InlineData("kind: Pod\nspec: {containers: [{name: a, image: b}]}\n", "metadata.name is required")]
    [InlineData("kind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n", "spec.containers")]
    [InlineData("kind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: a}]}\n", "spec.containers")]
    [InlineData(": : not yaml [", "not a Pod manifest")]
    public void Parse_BadManifest_SaysWhy(string text, string expected)
    {
        var (pod, error) = StaticPodManifests.Parse("bad.yaml", text, "node-a");

        Assert.Null(pod);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Mirror_StaticPod_AnnotatedOwnedByTheNodeWithoutUid()
    {
        var (pod, _) = StaticPodManifests.Parse("etcd.yaml", Manifest, "node-a");

        var mirror = StaticPodManifests.Mirror(pod!, "node-uid");

        Assert.Null(mirror.Metadata.Uid);
        Assert.Equal(pod!.Metadata.Uid, mirror.Metadata.Annotations["kubernetes.io/config.mirror"]);
        var owner = Assert.Single(mirror.Metadata.OwnerReferences);
        Assert.Equal(("Node", "node-a", "node-uid"), (owner.Kind, owner.Name, owner.Uid));
        Assert.False(pod.Metadata.Annotations.ContainsKey("kubernetes.io/config.mirror"));
    }
}
