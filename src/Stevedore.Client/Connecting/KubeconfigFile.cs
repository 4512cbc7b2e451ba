using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Stevedore.Client.Connecting;

/// <summary>
/// Reads a kubeconfig file with a YamlDotNet deserializer of its own instead of <see cref="KubernetesYaml"/>.
/// </summary>
/// <remarks>
/// Why: <c>KubernetesClientConfiguration.BuildConfigFromConfigFile</c> and <c>LoadKubeConfig</c> go through
/// <see cref="KubernetesYaml"/>, whose static constructor reflects over every model type and property of
/// KubernetesClient (three times, for YAML aliases of all the models) before reading a single line. That loads
/// ~1,000 types nobody uses and costs a process ~37 MiB for good (a console program: 47 MiB RSS after loading a
/// kubeconfig this way, 84 MiB through KubernetesClient). The kubeconfig models carry their YAML names as
/// <c>YamlMember</c> aliases, so a plain deserializer reads them exactly as KubernetesClient does.
/// Relative certificate and key paths resolve against the file's folder, as <c>useRelativePaths</c> does upstream.
/// </remarks>
public static class KubeconfigFile
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>The kubeconfig at <paramref name="path"/>; <see cref="KubeConfigException"/> when it is not one.</summary>
    public static K8SConfiguration Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        return Parse(File.ReadAllText(fullPath), fullPath);
    }

    /// <summary>
    /// The kubeconfig in <paramref name="yaml"/>; <paramref name="fileName"/> (absolute) anchors relative paths in it.
    /// </summary>
    public static K8SConfiguration Parse(string yaml, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        K8SConfiguration? config;
        try
        {
            config = Deserializer.Deserialize<K8SConfiguration?>(yaml);
        }
        catch (YamlException ex)
        {
            var where = fileName is null ? "kubeconfig" : $"kubeconfig {fileName}";
            throw new KubeConfigException($"{where} is not valid YAML ({ex.Start}): {(ex.InnerException ?? ex).Message}");
        }

        config ??= new K8SConfiguration();
        config.FileName = fileName;
        return config;
    }

    /// <summary>The client configuration for the current (or named) context of the kubeconfig at <paramref name="path"/>.</summary>
    public static KubernetesClientConfiguration ClientConfiguration(string path, string? context = null) =>
        KubernetesClientConfiguration.BuildConfigFromConfigObject(Load(path), context);
}
