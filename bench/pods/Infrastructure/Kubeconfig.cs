using System.Text;
using YamlDotNet.Serialization;

namespace PodsBench.Infrastructure;

/// <summary>The parts of the admin kubeconfig the load generator needs: server URL, cluster CA and client certificate (PEM).</summary>
public sealed record Kubeconfig(Uri Server, string CaPem, string ClientCertificatePem, string ClientKeyPem)
{
    /// <summary>Reads the current context's cluster and user from a kubeconfig with inline (base64) credentials.</summary>
    public static Kubeconfig Load(string path)
    {
        var root = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(path))!;
        var context = (string)root["current-context"];
        var contextEntry = Named(root, "contexts", context)["context"];
        var cluster = (Dictionary<object, object>)Named(root, "clusters", Field(contextEntry, "cluster"))["cluster"];
        var user = (Dictionary<object, object>)Named(root, "users", Field(contextEntry, "user"))["user"];
        return new Kubeconfig(
            new Uri((string)cluster["server"]),
            Decode(cluster["certificate-authority-data"]),
            Decode(user["client-certificate-data"]),
            Decode(user["client-key-data"]));
    }

    private static Dictionary<object, object> Named(Dictionary<object, object> root, string list, string name) =>
        ((List<object>)root[list]).Cast<Dictionary<object, object>>().FirstOrDefault(e => (string)e["name"] == name)
        ?? throw new InvalidDataException($"kubeconfig: no {list} entry named {name}");

    private static string Field(object map, string key) => (string)((Dictionary<object, object>)map)[key];

    private static string Decode(object base64) => Encoding.UTF8.GetString(Convert.FromBase64String((string)base64));
}
