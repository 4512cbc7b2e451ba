using System.Security.Cryptography.X509Certificates;

namespace Stevedore.ApiServer.Security.Pki;

/// <summary>Turns PEM or freshly signed certificates into objects TLS stacks accept.</summary>
internal static class CertificateLoading
{
    /// <summary>
    /// A certificate whose private key lives in a PKCS#12-loaded key container. Certificates made
    /// by <c>CopyWithPrivateKey</c> or <c>CreateFromPem</c> hold an ephemeral key that some
    /// <c>SslStream</c> paths refuse; a PKCS#12 round trip gives a key every platform accepts.
    /// </summary>
    public static X509Certificate2 WithLoadableKey(X509Certificate2 certificate)
    {
        var pkcs12 = certificate.Export(X509ContentType.Pkcs12);
        return X509CertificateLoader.LoadPkcs12(pkcs12, password: null, X509KeyStorageFlags.Exportable);
    }

    public static X509Certificate2 FromPem(string certificatePem, string keyPem)
    {
        using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        return WithLoadableKey(ephemeral);
    }

    public static X509Certificate2 PublicOnly(string certificatePem) =>
        X509Certificate2.CreateFromPem(certificatePem);
}
