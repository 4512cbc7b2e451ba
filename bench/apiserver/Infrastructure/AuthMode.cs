namespace ApiServerBench.Infrastructure;

/// <summary>How the load generator proves it is the admin.</summary>
public enum AuthMode
{
    /// <summary>The admin x509 client certificate from the kubeconfig (mutual TLS).</summary>
    ClientCertificate,

    /// <summary>The admin bearer token from DATA/tls/admin.token.</summary>
    BearerToken,
}
