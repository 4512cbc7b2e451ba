using k8s;
using k8s.Models;

namespace Stevedore.Kubelet.NodeTests;

public abstract class StaticPodTests(NodeFixture node)
{
    [NodeFact]
    public async Task StaticPod_Manifest_RunsWithAMirrorPodThatIsRecreatedWhenDeleted()
    {
        var name = "static-" + Guid.NewGuid().ToString("N")[..6];
        var manifest = Path.Combine(node.ManifestsDir, name + ".yaml");
        await File.WriteAllTextAsync(manifest, $"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: {name}
              labels:
                tier: static
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: web
                image: {TestImages.Busybox}
                command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
            """);
        var mirrorName = name + "-" + node.NodeName;
        try
        {
            var mirror = await Eventually.GetAsync(() => TryReadAsync(mirrorName), p => p is not null && Pods.IsRunningAndReady(p), "the mirror pod Running");

            Assert.Equal("default", mirror!.Metadata.NamespaceProperty);
            Assert.Equal(node.NodeName, mirror.Spec.NodeName);
            var hash = mirror.Metadata.Annotations["kubernetes.io/config.mirror"];
            Assert.Equal(hash, mirror.Metadata.Annotations["kubernetes.io/config.hash"]);
            Assert.Equal("file", mirror.Metadata.Annotations["kubernetes.io/config.source"]);
            Assert.Equal("Node", Assert.Single(mirror.Metadata.OwnerReferences).Kind);
            // The static pod runs under its own UID (the hash), not the mirror's.
            var containers = await Pods.RuntimeContainersAsync(node, hash);
            var container = Assert.Single(containers);
            Assert.Equal(mirror.Status.ContainerStatuses.Single().ContainerID, node.RuntimeName + "://" + container.Id);

            await node.Client.CoreV1.DeleteNamespacedPodAsync(mirrorName, "default");
            var recreated = await Eventually.GetAsync(() => TryReadAsync(mirrorName),
                p => p is not null && p.Metadata.Uid != mirror.Metadata.Uid && p.Metadata.DeletionTimestamp is null && Pods.IsRunningAndReady(p), "the mirror pod recreated");
            Assert.Equal(hash, recreated!.Metadata.Annotations["kubernetes.io/config.mirror"]);
            // Deleting the mirror never touches the static pod itself.
            Assert.Equal(container.Id, Assert.Single(await Pods.RuntimeContainersAsync(node, hash)).Id);

            File.Delete(manifest);
            await Eventually.TrueAsync(async () => await TryReadAsync(mirrorName) is null, "the mirror pod deleted");
            await Eventually.TrueAsync(async () => (await Pods.RuntimeContainersAsync(node, hash)).Count == 0 && (await Pods.RuntimeSandboxesAsync(node, hash)).Count == 0,
                "the static pod removed from the runtime");
        }
        finally
        {
            File.Delete(manifest);
        }
    }

    [NodeFact]
    public async Task StaticPod_BadManifest_IsIgnoredAndOthersRun()
    {
        var bad = Path.Combine(node.ManifestsDir, "broken-" + Guid.NewGuid().ToString("N")[..6] + ".yaml");
        await File.WriteAllTextAsync(bad, "kind: Pod\nmetadata: {name: broken}\nspec: {containers: []}\n");
        try
        {
            // A few scans pass; the agent keeps running and no mirror appears for the broken file.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.False(node.Agent.Ready.IsFaulted);
            var pods = await node.Client.CoreV1.ListNamespacedPodAsync("default");
            Assert.DoesNotContain(pods.Items, p => p.Metadata.Name.StartsWith("broken", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(bad);
        }
    }

    private async Task<V1Pod?> TryReadAsync(string name)
    {
        try
        {
            return await node.Client.CoreV1.ReadNamespacedPodAsync(name, "default");
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
