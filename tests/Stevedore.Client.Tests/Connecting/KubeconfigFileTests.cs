using System.Text;
using k8s;
using k8s.Exceptions;
using Stevedore.Client.Connecting;

namespace Stevedore.Client.Tests.Connecting;

public sealed class KubeconfigFileTests
{
    private static string Kubeconfig(string caData) => $$"""
        apiVersion: v1
        kind: Config
        current-context: admin@local
        preferences: {}
        clusters:
        - name: local
          cluster:
            server: https://127.0.0.1:6443
            certificate-authority-data: {{caData}}
            tls-server-name: stevedore
        - name: other
          cluster:
            server: https://127.0.0.2:7443
            insecure-skip-tls-verify: true
        contexts:
        - name: admin@local
          context: {cluster: local, user: admin, namespace: team-a}
        - name: viewer@other
          context: {cluster: other, user: viewer}
        users:
        - name: admin
          user:
            token: secret-token
        - name: viewer
          user:
            username: view
            password: pass
            as: someone
            as-groups: [g1, g2]
        unknown-top-level-field: ignored
        """;

    [Theory]
    [InlineData(null)]
    [InlineData("viewer@other")]
    public void ClientConfiguration_SameAsKubernetesClientsOwnLoader(string? context)
    {
        var yaml = Kubeconfig(ValidCaData());

        var ours = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Parse(yaml), context);
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(Encoding.UTF8.GetBytes(yaml)), context);

        Assert.Equal(
            (theirs.Host, theirs.CurrentContext, theirs.Namespace, theirs.AccessToken, theirs.Username, theirs.Password, theirs.SkipTlsVerify, theirs.TlsServerName),
            (ours.Host, ours.CurrentContext, ours.Namespace, ours.AccessToken, ours.Username, ours.Password, ours.SkipTlsVerify, ours.TlsServerName));
        Assert.Equal(theirs.SslCaCerts?.Select(c => c.Thumbprint) ?? [], ours.SslCaCerts?.Select(c => c.Thumbprint) ?? []);
    }

    [Fact]
    public void ClientConfiguration_CurrentContext_TrustsTheEmbeddedCa()
    {
        var ca = ValidCaData();

        var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Parse(Kubeconfig(ca)));

        var trusted = Assert.Single(config.SslCaCerts);
        Assert.Equal("CN=test-ca", trusted.Subject);
    }

    [Fact]
    public void Parse_ReadsEveryListAndRemembersTheFileForRelativePaths()
    {
        var config = KubeconfigFile.Parse(Kubeconfig(ValidCaData()), "/etc/stevedore/kubeconfig.yaml");

        Assert.Equal("admin@local", config.CurrentContext);
        Assert.Equal(["local", "other"], config.Clusters.Select(c => c.Name));
        Assert.Equal(["admin", "viewer"], config.Users.Select(u => u.Name));
        Assert.Equal(["g1", "g2"], config.Users.Last().UserCredentials.ImpersonateGroups);
        Assert.Equal("/etc/stevedore/kubeconfig.yaml", config.FileName);
    }

    [Fact]
    public void Parse_NotYaml_IsAKubeconfigErrorWithThePosition()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubeconfigFile.Parse("clusters: [\n  - {name: a", "/k.yaml"));

        Assert.Contains("kubeconfig /k.yaml is not valid YAML", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Line:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientConfiguration_EmptyFile_SaysThereIsNoServer()
    {
        var ex = Assert.Throws<KubeConfigException>(() => KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Parse("")));

        Assert.Contains("server host url", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A self-signed CA certificate, base64 of its PEM as a kubeconfig carries it.</summary>
    private static string ValidCaData()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=test-ca", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Convert.ToBase64String(Encoding.ASCII.GetBytes(ca.ExportCertificatePem()));
    }
}
