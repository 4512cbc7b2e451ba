using k8s;

namespace Stevedore.Client.Connecting;

/// <summary>
/// Builds an <see cref="IKubernetes"/> client the way upstream tools find their cluster:
/// an explicit kubeconfig, the in-cluster service account, or the default kubeconfig lookup.
/// </summary>
public static class ClusterConnection
{
    /// <summary>A client for the current (or named) context of the kubeconfig at <paramref name="kubeconfigPath"/>.</summary>
    public static IKubernetes FromKubeconfig(string kubeconfigPath, string? context = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kubeconfigPath);
        var config = KubeconfigFile.ClientConfiguration(kubeconfigPath, context);
        return FromConfiguration(config);
    }

    /// <summary>A client that uses the pod's service account token and CA (KUBERNETES_SERVICE_HOST/PORT).</summary>
    public static IKubernetes InCluster() => FromConfiguration(KubernetesClientConfiguration.InClusterConfig());

    /// <summary>
    /// In a pod: the in-cluster config. Otherwise <paramref name="kubeconfigPath"/>, then $KUBECONFIG,
    /// then ~/.kube/config.
    /// </summary>
    public static IKubernetes Default(string? kubeconfigPath = null)
    {
        if (!string.IsNullOrEmpty(kubeconfigPath))
        {
            return FromKubeconfig(kubeconfigPath);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? InCluster()
            : FromConfiguration(KubernetesClientConfiguration.BuildDefaultConfig());
    }

    /// <summary>A client for a server URL and bearer token (tests, bootstrap).</summary>
    public static IKubernetes FromToken(Uri server, string token, bool skipTlsVerify = false)
    {
        ArgumentNullException.ThrowIfNull(server);
        return FromConfiguration(new KubernetesClientConfiguration
        {
            Host = server.ToString(),
            AccessToken = token,
            SkipTlsVerify = skipTlsVerify,
        });
    }

    /// <summary>
    /// A client for <paramref name="config"/>. Watches stay open for many minutes, so the
    /// overall HTTP timeout is lifted; each request is bounded by its CancellationToken instead.
    /// </summary>
    public static IKubernetes FromConfiguration(KubernetesClientConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.HttpClientTimeout = Timeout.InfiniteTimeSpan;
        return new Kubernetes(config);
    }
}
