using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Stevedore.Client.Serialization;
using Stevedore.Kubelet.Pods;

namespace Stevedore.Kubelet.StaticPods;

/// <summary>One manifest file that could not be turned into a static pod, and why.</summary>
public sealed record ManifestError(string File, string Message);

/// <summary>
/// Turns the manifests folder into static pods, as upstream's file source does: one Pod per file
/// (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>), named <c>&lt;name&gt;-&lt;node&gt;</c>, bound to this node,
/// with a UID that is a hash of the file and the node (a changed file is a new pod).
/// </summary>
public static class StaticPodManifests
{
    public const string FileSource = "file";

    /// <summary>Reads every manifest of <paramref name="dir"/>; files that fail are reported, not fatal.</summary>
    public static (IReadOnlyList<V1Pod> Pods, IReadOnlyList<ManifestError> Errors) Read(string dir, string nodeName)
    {
        var pods = new List<V1Pod>();
        var errors = new List<ManifestError>();
        if (!Directory.Exists(dir))
        {
            return (pods, errors);
        }

        foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            var extension = Path.GetExtension(file);
            if (extension is not (".yaml" or ".yml" or ".json") || Path.GetFileName(file).StartsWith('.'))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ManifestError(file, ex.Message));
                continue;
            }

            var (pod, error) = Parse(Path.GetFileName(file), text, nodeName);
            if (pod is not null)
            {
                pods.Add(pod);
            }
            else
            {
                errors.Add(new ManifestError(file, error!));
            }
        }

        var duplicates = pods.GroupBy(p => p.Metadata.NamespaceProperty + "/" + p.Metadata.Name).Where(g => g.Count() > 1).ToList();
        foreach (var group in duplicates)
        {
            // Two files for one pod name: neither runs, as either choice would surprise.
            foreach (var pod in group)
            {
                pods.Remove(pod);
                errors.Add(new ManifestError(pod.Metadata.Annotations["kubernetes.io/config.file"], $"another manifest also defines pod {group.Key}"));
            }
        }

        return (pods, errors);
    }

    /// <summary>The static pod of one manifest, or the reason it is not one.</summary>
    public static (V1Pod? Pod, string? Error) Parse(string fileName, string text, string nodeName)
    {
        V1Pod pod;
        try
        {
            // YAML to JSON, then the models' JSON: as upstream's decoder, and without KubernetesYaml, whose
            // start-up reflection over every model would stay in the agent's memory (see KubeconfigFile).
            pod = YamlToJson.Convert(text) is { } json ? KubernetesJson.Deserialize<V1Pod>(json.ToJsonString()) : null!;
        }
        catch (Exception ex)
        {
            return (null, "not a Pod manifest: " + ex.Message.Split('\n')[0]);
        }

        if (pod is null || (pod.Kind is { Length: > 0 } kind && kind != "Pod"))
        {
            return (null, $"kind must be Pod, not {pod?.Kind}");
        }

        if (string.IsNullOrEmpty(pod.Metadata?.Name))
        {
            return (null, "metadata.name is required");
        }

        if (pod.Spec?.Containers is not { Count: > 0 } containers || containers.Any(c => string.IsNullOrEmpty(c.Name) || string.IsNullOrEmpty(c.Image)))
        {
            return (null, "spec.containers must list at least one container, each with a name and an image");
        }

        var uid = Uid(fileName, text, nodeName);
        pod.ApiVersion = "v1";
        pod.Kind = "Pod";
        pod.Metadata.Name = pod.Metadata.Name + "-" + nodeName;
        pod.Metadata.NamespaceProperty = string.IsNullOrEmpty(pod.Metadata.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty;
        pod.Metadata.Uid = uid;
        pod.Metadata.Annotations ??= new Dictionary<string, string>();
        pod.Metadata.Annotations[CriLabels.ConfigSource] = FileSource;
        pod.Metadata.Annotations[CriLabels.ConfigHash] = uid;
        pod.Metadata.Annotations["kubernetes.io/config.file"] = fileName;
        pod.Spec.NodeName = nodeName;
        pod.Spec.RestartPolicy ??= "Always";
        pod.Spec.DnsPolicy ??= "ClusterFirst";
        pod.Spec.TerminationGracePeriodSeconds ??= ContainerConfigs.DefaultTerminationGracePeriodSeconds;
        foreach (var container in pod.Spec.Containers.Concat(pod.Spec.InitContainers ?? []))
        {
            container.ImagePullPolicy ??= PodSyncer.DefaultPullPolicy(container.Image);
            container.TerminationMessagePath ??= ContainerConfigs.DefaultTerminationMessagePath;
            container.TerminationMessagePolicy ??= "File";
        }

        return (pod, null);
    }

    /// <summary>The static pod's UID: 32 hex digits of a hash of the file name, its content and the node.</summary>
    public static string Uid(string fileName, string text, string nodeName) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fileName + "\u0000" + text + "\u0000" + nodeName)).AsSpan(0, 16));

    /// <summary>The mirror pod for a static pod: the same pod in the API, marked with its hash and owned by the Node.</summary>
    public static V1Pod Mirror(V1Pod staticPod, string? nodeUid)
    {
        ArgumentNullException.ThrowIfNull(staticPod);
        var mirror = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(staticPod));
        mirror.Metadata.Uid = null;
        mirror.Metadata.ResourceVersion = null;
        mirror.Metadata.Annotations[CriLabels.ConfigMirror] = staticPod.Metadata.Uid;
        if (nodeUid is not null)
        {
            mirror.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = staticPod.Spec.NodeName, Uid = nodeUid, Controller = true }];
        }

        mirror.Status = null;
        return mirror;
    }
}
