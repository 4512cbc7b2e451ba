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

    [Fact]
    public void Parse_ManifestWithNumbersQuantitiesAndAnchors_ReadAsTheApiServerWould()
    {
        const string text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, labels: &labels {app: web}}
            spec:
              containers:
              - &app
                name: app
                image: busybox
                ports: [{containerPort: 8080, name: http}]
                resources: {limits: {cpu: 1, memory: 64Mi}, requests: {cpu: 0.5}}
                readinessProbe: {httpGet: {port: http, path: /}, periodSeconds: 3}
                env: [{name: LABELS, value: "app=web"}]
              - <<: *app
                name: second
              nodeSelector: *labels
            """;

        var (pod, error) = StaticPodManifests.Parse("web.yaml", text, "node-a");

        Assert.Null(error);
        var (app, second) = (pod!.Spec.Containers[0], pod.Spec.Containers[1]);
        Assert.Equal(8080, app.Ports[0].ContainerPort);
        Assert.Equal(("1", "64Mi", "500m"), (app.Resources.Limits["cpu"].ToString(), app.Resources.Limits["memory"].ToString(), app.Resources.Requests["cpu"].ToString()));
        Assert.Equal("http", app.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal(("second", "busybox", 8080), (second.Name, second.Image, second.Ports[0].ContainerPort));
        Assert.Equal("web", pod.Spec.NodeSelector["app"]);
    }

    [Theory]
    [InlineData("kind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: a, image: b, env: [{name: N, value: 5}]}]}\n", "not a Pod manifest")]
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
