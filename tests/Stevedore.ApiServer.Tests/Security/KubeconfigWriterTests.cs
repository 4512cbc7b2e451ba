using System.Runtime.Versioning;
using System.Text;
using Stevedore.ApiServer.Security.Kubeconfig;
using YamlDotNet.RepresentationModel;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class KubeconfigWriterTests : IDisposable
{
    private const string Ca = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
    private const string Cert = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
    private const string Key = "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n";

    private readonly TemporaryDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var step in path)
        {
            node = int.TryParse(step, out var index) ? ((YamlSequenceNode)node)[index] : ((YamlMappingNode)node)[step];
        }

        return ((YamlScalarNode)node).Value!;
    }

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    [Fact]
    public void Render_AdminCredentials_EmbedsBase64DataAndSelectsContext()
    {
        var root = Load(KubeconfigWriter.Render("https://127.0.0.1:6443", Ca, Cert, Key, "stevedore"));

        Assert.Equal("v1", Scalar(root, "apiVersion"));
        Assert.Equal("Config", Scalar(root, "kind"));
        Assert.Equal("stevedore", Scalar(root, "current-context"));
        Assert.Equal("stevedore", Scalar(root, "clusters", "0", "name"));
        Assert.Equal("https://127.0.0.1:6443", Scalar(root, "clusters", "0", "cluster", "server"));
        Assert.Equal(Ca, Decode(Scalar(root, "clusters", "0", "cluster", "certificate-authority-data")));
        Assert.Equal("stevedore", Scalar(root, "contexts", "0", "context", "cluster"));
        Assert.Equal("stevedore", Scalar(root, "contexts", "0", "context", "user"));
        Assert.Equal("stevedore", Scalar(root, "users", "0", "name"));
        Assert.Equal(Cert, Decode(Scalar(root, "users", "0", "user", "client-certificate-data")));
        Assert.Equal(Key, Decode(Scalar(root, "users", "0", "user", "client-key-data")));
    }

    [Fact]
    public void Render_NoContextName_UsesDefault()
    {
        var root = Load(KubeconfigWriter.Render("https://127.0.0.1:6443", Ca, Cert, Key));

        Assert.Equal("default", Scalar(root, "current-context"));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Write_ExistingWorldReadableFile_ReplacedWithOwnerOnlyFile()
    {
        var path = Path.Combine(_dir.Path, "sub", "kubeconfig.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        KubeconfigWriter.Write(path, "https://127.0.0.1:6443", Ca, Cert, Key);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(KubeconfigWriter.Render("https://127.0.0.1:6443", Ca, Cert, Key), File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
