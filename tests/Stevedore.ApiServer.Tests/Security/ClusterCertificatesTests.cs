using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Stevedore.ApiServer.Security.Pki;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class ClusterCertificatesTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();
    private readonly ManualClock _clock = new(TestPki.Start);

    public void Dispose() => _data.Dispose();

    private string Tls(string file) => Path.Combine(_data.Path, "tls", file);

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void LoadOrCreate_FirstStart_WritesPemFilesWithPrivateKeysOwnerOnly()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);

        foreach (var key in new[] { "ca.key", "serving.key", "admin.key", "admin.token" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Tls(key)));
        }

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", File.ReadAllText(Tls("ca.crt")));
        Assert.Contains("PRIVATE KEY-----", File.ReadAllText(Tls("ca.key")));
        Assert.Equal(certs.CaPem, File.ReadAllText(Tls("ca.crt")));
        Assert.Equal(certs.AdminKeyPem, File.ReadAllText(Tls("admin.key")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_data.Path, "tls"), "*.tmp"));
    }

    [Fact]
    public void LoadOrCreate_FirstStart_CaIsTenYearEcdsaP256Authority()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        var ca = certs.CaCertificate;

        Assert.Equal("CN=stevedore-ca", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        using var key = ca.GetECDsaPublicKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var lifetime = ca.NotAfter.ToUniversalTime() - TestPki.Start.UtcDateTime;
        Assert.InRange(lifetime.TotalDays, 3649, 3651);
    }

    [Fact]
    public void LoadOrCreate_FirstStart_ServingCertificateCarriesEveryRequiredName()
    {
        var names = TestPki.Names("api.example.test", "198.51.100.7");
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, names, _clock);
        using var serving = X509Certificate2.CreateFromPem(File.ReadAllText(Tls("serving.crt")));
        var san = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var dns = san.EnumerateDnsNames().ToList();
        var ips = san.EnumerateIPAddresses().ToList();

        Assert.Equal(
            ["localhost", "testhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
             "kubernetes.default.svc.cluster.local", "api.example.test"],
            dns);
        foreach (var ip in new[] { "127.0.0.1", "::1", "10.43.0.1", "192.0.2.10", "198.51.100.7" })
        {
            Assert.Contains(IPAddress.Parse(ip), ips);
        }

        Assert.InRange((serving.NotAfter.ToUniversalTime() - TestPki.Start.UtcDateTime).TotalDays, 364, 366);
        Assert.True(certs.ServingCertificate.HasPrivateKey);
    }

    [Fact]
    public void ForThisMachine_Always_IncludesLoopbackServiceNamesAndHostName()
    {
        var names = ServingNames.ForThisMachine(["extra.example.test"]);

        Assert.Contains(IPAddress.Loopback, names.Addresses);
        Assert.Contains(IPAddress.IPv6Loopback, names.Addresses);
        Assert.Contains(IPAddress.Parse("10.43.0.1"), names.Addresses);
        Assert.Contains(Dns.GetHostName().ToLowerInvariant(), names.DnsNames);
        Assert.Contains("kubernetes.default.svc.cluster.local", names.DnsNames);
        Assert.Contains("extra.example.test", names.DnsNames);
        Assert.DoesNotContain(names.Addresses, a => a.IsIPv6LinkLocal);
    }

    [Fact]
    public void LoadOrCreate_SecondStart_ReusesEverything()
    {
        string caPem, servingPem, adminPem, token;
        using (var first = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock))
        {
            (caPem, servingPem, adminPem, token) = (first.CaPem, first.ServingCertificatePem, first.AdminCertificatePem, first.AdminToken);
        }

        _clock.Advance(TimeSpan.FromDays(10));
        using var second = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);

        Assert.Equal(caPem, second.CaPem);
        Assert.Equal(servingPem, second.ServingCertificatePem);
        Assert.Equal(adminPem, second.AdminCertificatePem);
        Assert.Equal(token, second.AdminToken);
        Assert.Equal(64, token.Length);
    }

    [Fact]
    public void LoadOrCreate_RequiredNameMissing_ReissuesServingUnderSameCa()
    {
        string caPem, servingPem;
        using (var first = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock))
        {
            (caPem, servingPem) = (first.CaPem, first.ServingCertificatePem);
        }

        using var second = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names("10.0.0.99", "new.example.test"), _clock);

        Assert.Equal(caPem, second.CaPem);
        Assert.NotEqual(servingPem, second.ServingCertificatePem);
        Assert.Contains(IPAddress.Parse("10.0.0.99"), second.ServingNames.Addresses);
        Assert.Contains("new.example.test", second.ServingNames.DnsNames);
    }

    [Fact]
    public void LoadOrCreate_LeavesCloseToExpiry_ReissuesThem()
    {
        string servingPem, adminPem;
        using (var first = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock))
        {
            (servingPem, adminPem) = (first.ServingCertificatePem, first.AdminCertificatePem);
        }

        _clock.Advance(TimeSpan.FromDays(340));
        using var second = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);

        Assert.NotEqual(servingPem, second.ServingCertificatePem);
        Assert.NotEqual(adminPem, second.AdminCertificatePem);
    }

    [Fact]
    public void LoadOrCreate_CaKeyMissing_Throws()
    {
        ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock).Dispose();
        File.Delete(Tls("ca.key"));

        Assert.Throws<InvalidOperationException>(() => ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock));
    }

    [Fact]
    public void LoadOrCreate_ServingSignedByOtherCa_ReissuesIt()
    {
        using var other = new TemporaryDirectory();
        ClusterCertificates.LoadOrCreate(other.Path, TestPki.Names(), _clock).Dispose();
        ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock).Dispose();
        var foreignServing = File.ReadAllText(Path.Combine(other.Path, "tls", "serving.crt"));
        File.Copy(Path.Combine(other.Path, "tls", "serving.crt"), Tls("serving.crt"), overwrite: true);
        File.Copy(Path.Combine(other.Path, "tls", "serving.key"), Tls("serving.key"), overwrite: true);

        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);

        Assert.NotEqual(foreignServing, certs.ServingCertificatePem);
        Assert.NotEqual(foreignServing, File.ReadAllText(Tls("serving.crt")));
    }

    [Fact]
    public void AdminCertificate_Subject_IsSystemAdminInSystemMasters()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        using var admin = X509Certificate2.CreateFromPem(certs.AdminCertificatePem, certs.AdminKeyPem);

        Assert.Equal("O=system:masters, CN=system:admin", admin.Subject);
        Assert.True(certs.ClientCertificateValidator.IsValid(admin));
    }

    [Fact]
    public void IssueClientCertificate_Issued_ValidatesAgainstCa()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        var issued = certs.IssueClientCertificate("system:node:n1", ["system:nodes"], TimeSpan.FromDays(30));
        using var certificate = issued.ToX509Certificate2();

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("O=system:nodes, CN=system:node:n1", certificate.Subject);
        Assert.True(certs.ClientCertificateValidator.IsValid(certificate));
    }

    [Fact]
    public void IsValid_CertificateFromForeignCa_IsRefused()
    {
        using var other = new TemporaryDirectory();
        using var foreign = ClusterCertificates.LoadOrCreate(other.Path, TestPki.Names(), _clock);
        using var ours = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        using var foreignAdmin = X509Certificate2.CreateFromPem(foreign.AdminCertificatePem);

        Assert.True(foreign.ClientCertificateValidator.IsValid(foreignAdmin));
        Assert.False(ours.ClientCertificateValidator.IsValid(foreignAdmin));
    }

    [Fact]
    public void IsValid_SelfSignedCertificateWithSameSubjectAsCa_IsRefused()
    {
        using var ours = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=stevedore-ca", key, HashAlgorithmName.SHA256);
        using var impostor = request.CreateSelfSigned(TestPki.Start.AddDays(-1), TestPki.Start.AddDays(1));

        Assert.False(ours.ClientCertificateValidator.IsValid(impostor));
    }

    [Fact]
    public void IsValid_ExpiredClientCertificate_IsRefused()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);
        using var shortLived = certs.IssueClientCertificate("bob", [], TimeSpan.FromDays(1)).ToX509Certificate2();
        Assert.True(certs.ClientCertificateValidator.IsValid(shortLived));

        _clock.Advance(TimeSpan.FromDays(2));

        Assert.False(certs.ClientCertificateValidator.IsValid(shortLived));
    }

    [Fact]
    public void IsValid_ServingCertificateUsedAsClientCertificate_IsRefused()
    {
        using var certs = ClusterCertificates.LoadOrCreate(_data.Path, TestPki.Names(), _clock);

        Assert.False(certs.ClientCertificateValidator.IsValid(certs.ServingCertificate));
    }
}
