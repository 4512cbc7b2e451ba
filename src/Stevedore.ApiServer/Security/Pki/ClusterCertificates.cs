using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stevedore.ApiServer.Security.Pki;

/// <summary>
/// The cluster's PKI, kept as PEM files under <c>DATA/tls/</c>: a CA (ECDSA P-256, ten years,
/// CN <c>stevedore-ca</c>), the API server's serving certificate, the admin's client certificate
/// (CN <c>system:admin</c>, O <c>system:masters</c>) and a static admin bearer token.
/// Created on first start, reused afterwards; leaf certificates are re-issued when they are
/// missing, not signed by the CA, about to expire, or (serving) lack a required name.
/// </summary>
public sealed class ClusterCertificates : IDisposable
{
    public const string CaCommonName = "stevedore-ca";
    public const string ServingCommonName = "stevedore-apiserver";
    public const string AdminUser = "system:admin";
    public const string AdminGroup = "system:masters";

    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan ServingLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan AdminLifetime = TimeSpan.FromDays(365);

    /// <summary>Leaf certificates closer than this to expiry are re-issued at start.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>File names inside <see cref="TlsDirectory"/>.</summary>
    public static class FileNames
    {
        public const string CaCertificate = "ca.crt";
        public const string CaKey = "ca.key";
        public const string ServingCertificate = "serving.crt";
        public const string ServingKey = "serving.key";
        public const string AdminCertificate = "admin.crt";
        public const string AdminKey = "admin.key";
        public const string AdminToken = "admin.token";
    }

    private readonly X509Certificate2 _caWithKey;
    private readonly TimeProvider _time;

    private ClusterCertificates(
        string tlsDirectory,
        X509Certificate2 caWithKey,
        string caPem,
        IssuedCertificate serving,
        IssuedCertificate admin,
        string adminToken,
        TimeProvider time)
    {
        TlsDirectory = tlsDirectory;
        _caWithKey = caWithKey;
        _time = time;
        CaPem = caPem;
        CaCertificate = CertificateLoading.PublicOnly(caPem);
        ServingCertificatePem = serving.CertificatePem;
        ServingCertificate = serving.ToX509Certificate2();
        ServingNames = CertificateChecks.SubjectAlternativeNames(ServingCertificate);
        AdminCertificatePem = admin.CertificatePem;
        AdminKeyPem = admin.KeyPem;
        AdminToken = adminToken;
        ClientCertificateValidator = new ClientCertificateValidator(CaCertificate, time);
    }

    /// <summary>The folder holding the PEM files (<c>DATA/tls</c>).</summary>
    public string TlsDirectory { get; }

    /// <summary>The CA certificate without its key: the trust anchor for clients and nodes.</summary>
    public X509Certificate2 CaCertificate { get; }

    public string CaPem { get; }

    /// <summary>The serving certificate with a private key Kestrel / SslStream accept.</summary>
    public X509Certificate2 ServingCertificate { get; }

    public string ServingCertificatePem { get; }

    /// <summary>The names the serving certificate carries.</summary>
    public ServingNames ServingNames { get; }

    public string AdminCertificatePem { get; }

    public string AdminKeyPem { get; }

    /// <summary>A static bearer token for <see cref="AdminUser"/> in group <see cref="AdminGroup"/>.</summary>
    public string AdminToken { get; }

    /// <summary>Checks client certificates against this CA (used in the TLS handshake and per request).</summary>
    public ClientCertificateValidator ClientCertificateValidator { get; }

    /// <summary>
    /// Loads the PKI from <c><paramref name="dataDir"/>/tls</c>, creating whatever is missing.
    /// </summary>
    /// <param name="dataDir">The server's data folder.</param>
    /// <param name="extraSans">Additional names or IP addresses for the serving certificate.</param>
    /// <param name="time">The clock for validity periods.</param>
    /// <exception cref="InvalidOperationException">Only one of the CA certificate and key exists:
    /// replacing the CA silently would break every node that trusts it.</exception>
    public static ClusterCertificates LoadOrCreate(string dataDir, IEnumerable<string> extraSans, TimeProvider time) =>
        LoadOrCreate(dataDir, ServingNames.ForThisMachine(extraSans), time);

    /// <summary>As <see cref="LoadOrCreate(string, IEnumerable{string}, TimeProvider)"/> with an explicit set of required names.</summary>
    public static ClusterCertificates LoadOrCreate(string dataDir, ServingNames requiredNames, TimeProvider time)
    {
        var tls = Path.Combine(dataDir, "tls");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(tls);
        }
        else
        {
            Directory.CreateDirectory(tls, AtomicFile.OwnerOnlyDirectory);
        }

        var now = time.GetUtcNow();
        var (ca, caPem) = LoadOrCreateCa(tls, now);
        var serving = LoadOrCreateServing(tls, ca, requiredNames, now);
        var admin = LoadOrCreateAdmin(tls, ca, now);
        var token = LoadOrCreateToken(tls);
        return new ClusterCertificates(tls, ca, caPem, serving, admin, token, time);
    }

    /// <summary>
    /// Issues a client certificate signed by the cluster CA (for nodes and components):
    /// <paramref name="commonName"/> becomes the user name, each organization a group.
    /// Nothing is written to disk.
    /// </summary>
    public IssuedCertificate IssueClientCertificate(string commonName, string[] organizations, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commonName);
        ArgumentNullException.ThrowIfNull(organizations);
        return CertificateFactory.CreateClient(_caWithKey, commonName, organizations, _time.GetUtcNow(), lifetime);
    }

    /// <summary>
    /// A copy of the CA with its private key, for the one component that signs certificates on request (the
    /// CertificateSigningRequest signer). The caller owns and disposes it.
    /// </summary>
    public X509Certificate2 CopyCaWithKey()
    {
        using var key = _caWithKey.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the cluster CA has no ECDSA private key");
        using var certificate = X509CertificateLoader.LoadCertificate(_caWithKey.RawData);
        return certificate.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        _caWithKey.Dispose();
        CaCertificate.Dispose();
        ServingCertificate.Dispose();
    }

    private static (X509Certificate2 Ca, string Pem) LoadOrCreateCa(string tls, DateTimeOffset now)
    {
        var certificatePath = Path.Combine(tls, FileNames.CaCertificate);
        var keyPath = Path.Combine(tls, FileNames.CaKey);
        bool haveCertificate = File.Exists(certificatePath), haveKey = File.Exists(keyPath);
        if (haveCertificate && haveKey)
        {
            var pem = File.ReadAllText(certificatePath);
            return (X509Certificate2.CreateFromPem(pem, File.ReadAllText(keyPath)), pem);
        }

        if (haveCertificate != haveKey)
        {
            throw new InvalidOperationException(
                $"Incomplete cluster CA in {tls}: both {FileNames.CaCertificate} and {FileNames.CaKey} must exist (or neither, to create a new CA).");
        }

        using var created = CertificateFactory.CreateCertificateAuthority(CaCommonName, now, CaLifetime);
        var certificatePem = created.ExportCertificatePem();
        using var key = created.GetECDsaPrivateKey()!;
        var keyPem = key.ExportECPrivateKeyPem();
        // The key first: a certificate on disk without its key is the state we refuse to repair.
        AtomicFile.WriteAllText(keyPath, keyPem);
        AtomicFile.WriteAllText(certificatePath, certificatePem, PublicFileMode);
        return (X509Certificate2.CreateFromPem(certificatePem, keyPem), certificatePem);
    }

    private static IssuedCertificate LoadOrCreateServing(string tls, X509Certificate2 ca, ServingNames required, DateTimeOffset now)
    {
        var certificatePath = Path.Combine(tls, FileNames.ServingCertificate);
        var keyPath = Path.Combine(tls, FileNames.ServingKey);
        var existing = TryLoad(certificatePath, keyPath, certificate =>
            CertificateChecks.ChainsTo(certificate, ca, now) &&
            CertificateChecks.IsFreshFor(certificate, now, RenewBefore) &&
            required.IsCoveredBy(CertificateChecks.SubjectAlternativeNames(certificate)));
        if (existing is not null)
        {
            return existing;
        }

        var issued = CertificateFactory.CreateServing(ca, ServingCommonName, required, now, ServingLifetime);
        Store(issued, certificatePath, keyPath);
        return issued;
    }

    private static IssuedCertificate LoadOrCreateAdmin(string tls, X509Certificate2 ca, DateTimeOffset now)
    {
        var certificatePath = Path.Combine(tls, FileNames.AdminCertificate);
        var keyPath = Path.Combine(tls, FileNames.AdminKey);
        var existing = TryLoad(certificatePath, keyPath, certificate =>
            CertificateChecks.ChainsTo(certificate, ca, now) &&
            CertificateChecks.IsFreshFor(certificate, now, RenewBefore));
        if (existing is not null)
        {
            return existing;
        }

        var issued = CertificateFactory.CreateClient(ca, AdminUser, [AdminGroup], now, AdminLifetime);
        Store(issued, certificatePath, keyPath);
        return issued;
    }

    private static string LoadOrCreateToken(string tls)
    {
        var path = Path.Combine(tls, FileNames.AdminToken);
        if (File.Exists(path))
        {
            var stored = File.ReadAllText(path).Trim();
            if (stored.Length > 0)
            {
                return stored;
            }
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        AtomicFile.WriteAllText(path, token + "\n");
        return token;
    }

    private static IssuedCertificate? TryLoad(string certificatePath, string keyPath, Func<X509Certificate2, bool> isUsable)
    {
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            return null;
        }

        var issued = new IssuedCertificate(File.ReadAllText(certificatePath), File.ReadAllText(keyPath));
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.KeyPem);
            return isUsable(certificate) ? issued : null;
        }
        catch (CryptographicException)
        {
            // Unreadable or mismatched files are replaced like missing ones.
            return null;
        }
    }

    private static void Store(IssuedCertificate issued, string certificatePath, string keyPath)
    {
        AtomicFile.WriteAllText(keyPath, issued.KeyPem);
        AtomicFile.WriteAllText(certificatePath, issued.CertificatePem, PublicFileMode);
    }

    private const UnixFileMode PublicFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
}
