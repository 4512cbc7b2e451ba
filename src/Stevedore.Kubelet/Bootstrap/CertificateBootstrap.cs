using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Stevedore.Kubelet.Bootstrap;

/// <summary>A certificate request the cluster refused (denied, failed) or did not answer in time.</summary>
public sealed class CertificateBootstrapException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// TLS bootstrapping, as upstream's kubelet does it: submit a <c>certificates.k8s.io/v1</c> CertificateSigningRequest
/// (signer <c>kubernetes.io/kube-apiserver-client-kubelet</c>, usages digital signature and client auth) with
/// whatever identity <paramref name="client"/> has — a bootstrap token when joining, the node's current certificate
/// when renewing — and wait until the cluster approves and signs it.
/// </summary>
public static class CertificateBootstrap
{
    public const string NamePrefix = "node-csr-";

    /// <summary>Submits the request and returns the issued certificate (PEM).</summary>
    /// <exception cref="CertificateBootstrapException">Denied, failed, deleted, or not issued within <paramref name="timeout"/>.</exception>
    /// <exception cref="HttpOperationException">The API refused the request (401 for a bad token, 403, 422...).</exception>
    public static async Task<string> RequestAsync(IKubernetes client, string requestPem, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        var created = await client.CertificatesV1.CreateCertificateSigningRequestAsync(new V1CertificateSigningRequest
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = new V1ObjectMeta { GenerateName = NamePrefix },
            Spec = new V1CertificateSigningRequestSpec
            {
                Request = Encoding.ASCII.GetBytes(requestPem),
                SignerName = NodeClientCertificate.SignerName,
                Usages = [.. NodeClientCertificate.Usages],
            },
        }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var name = created.Metadata.Name;
        var deadline = time.GetUtcNow() + timeout;
        var csr = created;
        while (true)
        {
            if (Outcome(csr) is { } certificate)
            {
                return certificate;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new CertificateBootstrapException($"certificate signing request {name} was not issued within {timeout.TotalSeconds:0} s; approve it with `kubectl certificate approve {name}`");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken).ConfigureAwait(false);
            try
            {
                csr = await client.CertificatesV1.ReadCertificateSigningRequestAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                throw new CertificateBootstrapException($"certificate signing request {name} was deleted before it was issued", ex);
            }
        }
    }

    /// <summary>The issued certificate, null while pending; throws when the request was denied or failed.</summary>
    public static string? Outcome(V1CertificateSigningRequest csr)
    {
        ArgumentNullException.ThrowIfNull(csr);
        foreach (var condition in csr.Status?.Conditions ?? [])
        {
            if (condition.Type is "Denied" or "Failed")
            {
                var why = string.Join(": ", new[] { condition.Reason, condition.Message }.Where(s => !string.IsNullOrEmpty(s)));
                var verdict = condition.Type == "Denied" ? "was denied" : "failed";
                throw new CertificateBootstrapException($"certificate signing request {csr.Metadata?.Name} {verdict}{(why.Length > 0 ? ": " + why : "")}");
            }
        }

        return csr.Status?.Certificate is { Length: > 0 } bytes ? Encoding.ASCII.GetString(bytes) : null;
    }
}
