using System.Security.Cryptography.X509Certificates;

namespace Stevedore.ApiServer.Streaming;

/// <summary>How the API server reaches kubelets for logs, exec, attach and port-forward.</summary>
public sealed class KubeletClientOptions
{
    /// <summary>The kubelet port used when a node does not report one.</summary>
    public int DefaultPort { get; init; } = 10250;

    /// <summary>The client certificate (with its key) the API server presents (<c>--kubelet-client-certificate</c>).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// The CA that signs kubelet serving certificates (<c>--kubelet-certificate-authority</c>); when null,
    /// the kubelet's certificate is not verified, as upstream does without that flag.
    /// </summary>
    public X509Certificate2? CertificateAuthority { get; init; }

    /// <summary>Which node address to dial, in order of preference.</summary>
    public IReadOnlyList<string> PreferredAddressTypes { get; init; } = ["InternalIP", "Hostname", "InternalDNS", "ExternalIP", "ExternalDNS"];
}
