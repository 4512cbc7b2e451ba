using Stevedore.Kubelet.StaticPods;

namespace Stevedore.Kubelet.NodeTests;

/// <summary>Reading a real manifests folder (files, so not in the pure tests).</summary>
public sealed class ManifestFolderTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: etcd
        spec:
          containers:
          - name: etcd
            image: registry.local/etcd:3.5
        """;

    [Fact]
    public void Read_Folder_ParsesPodsReportsErrorsSkipsOtherFiles()
    {
        var dir = Directory.CreateTempSubdirectory("stevedore-static-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "etcd.yaml"), Manifest);
            File.WriteAllText(Path.Combine(dir, "broken.yml"), "kind: Pod\n");
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "ignored");
            File.WriteAllText(Path.Combine(dir, ".hidden.yaml"), Manifest);

            var (pods, errors) = StaticPodManifests.Read(dir, "node-a");

            Assert.Equal("etcd-node-a", Assert.Single(pods).Metadata.Name);
            Assert.EndsWith("broken.yml", Assert.Single(errors).File, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
