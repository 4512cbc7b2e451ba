using System.Text;
using YamlDotNet.Serialization;

namespace Stevedore.ApiServer.Security.Kubeconfig;

/// <summary>
/// Writes a kubeconfig with embedded credentials (certificate-authority-data,
/// client-certificate-data, client-key-data), readable only by its owner and replaced
/// atomically so a kubectl running concurrently never reads half a file.
/// </summary>
public static class KubeconfigWriter
{
    /// <summary>Writes the kubeconfig to <paramref name="path"/> (mode 0600). The cluster, user and
    /// context all take the name <paramref name="contextName"/>, which is also the current context.</summary>
    public static void Write(
        string path, string serverUrl, string caPem, string clientCertPem, string clientKeyPem, string contextName = "default") =>
        AtomicFile.WriteAllText(path, Render(serverUrl, caPem, clientCertPem, clientKeyPem, contextName));

    /// <summary>The kubeconfig YAML (pure).</summary>
    public static string Render(string serverUrl, string caPem, string clientCertPem, string clientKeyPem, string contextName = "default")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(contextName);
        var document = new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = contextName,
                    ["cluster"] = new Dictionary<string, object>
                    {
                        ["server"] = serverUrl,
                        ["certificate-authority-data"] = Base64(caPem),
                    },
                },
            },
            ["contexts"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = contextName,
                    ["context"] = new Dictionary<string, object> { ["cluster"] = contextName, ["user"] = contextName },
                },
            },
            ["current-context"] = contextName,
            ["preferences"] = new Dictionary<string, object>(),
            ["users"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = contextName,
                    ["user"] = new Dictionary<string, object>
                    {
                        ["client-certificate-data"] = Base64(clientCertPem),
                        ["client-key-data"] = Base64(clientKeyPem),
                    },
                },
            },
        };
        return new SerializerBuilder().Build().Serialize(document);
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
}
