using YamlDotNet.RepresentationModel;

namespace Stevedore.Runtime.Registry;

/// <summary>
/// Registry settings in the <c>registries.yaml</c> shape k3s uses: mirrors per registry and, per host,
/// credentials and whether to speak plain HTTP. Loopback hosts always use plain HTTP.
/// </summary>
public sealed class RegistryConfig
{
    /// <summary>Endpoints (<c>http://host:port</c> or <c>https://...</c>) tried before the registry itself, per registry name.</summary>
    public Dictionary<string, List<string>> Mirrors { get; } = new(StringComparer.Ordinal);

    /// <summary>Username and password per host.</summary>
    public Dictionary<string, (string Username, string Password)> Credentials { get; } = new(StringComparer.Ordinal);

    /// <summary>Hosts reached over plain HTTP.</summary>
    public HashSet<string> InsecureHosts { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="host"/> (with optional port) is spoken to over plain HTTP.</summary>
    public bool IsPlainHttp(string host)
    {
        if (InsecureHosts.Contains(host))
        {
            return true;
        }

        var name = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return name == "localhost" || name == "::1" || System.Net.IPAddress.TryParse(name, out var ip) && System.Net.IPAddress.IsLoopback(ip);
    }

    /// <summary>The base URLs to try for a registry: its mirrors, then the registry itself.</summary>
    public IReadOnlyList<Uri> Endpoints(string registry, string host)
    {
        var result = new List<Uri>();
        if (Mirrors.TryGetValue(registry, out var mirrors))
        {
            result.AddRange(mirrors.Select(m => new Uri(m.TrimEnd('/'))));
        }

        result.Add(new Uri((IsPlainHttp(host) ? "http://" : "https://") + host));
        return result;
    }

    /// <summary>Parses registries.yaml text.</summary>
    public static RegistryConfig Parse(string yaml)
    {
        var config = new RegistryConfig();
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return config;
        }

        if (Child(root, "mirrors") is YamlMappingNode mirrors)
        {
            foreach (var (key, value) in mirrors.Children)
            {
                if (value is YamlMappingNode m && Child(m, "endpoint") is YamlSequenceNode endpoints)
                {
                    config.Mirrors[key.ToString()] = endpoints.Children.Select(e => e.ToString()).ToList();
                }
            }
        }

        if (Child(root, "configs") is YamlMappingNode configs)
        {
            foreach (var (key, value) in configs.Children)
            {
                if (value is not YamlMappingNode c)
                {
                    continue;
                }

                var host = key.ToString();
                if (Child(c, "auth") is YamlMappingNode auth)
                {
                    config.Credentials[host] = (Child(auth, "username")?.ToString() ?? "", Child(auth, "password")?.ToString() ?? "");
                }

                if (Child(c, "tls") is YamlMappingNode tls && Child(tls, "insecure_skip_verify")?.ToString() == "true"
                    || Child(c, "insecure")?.ToString() == "true")
                {
                    config.InsecureHosts.Add(host);
                }
            }
        }

        return config;
    }

    /// <summary>Loads a file, or returns an empty configuration when it does not exist.</summary>
    public static RegistryConfig Load(string? path) =>
        path is not null && File.Exists(path) ? Parse(File.ReadAllText(path)) : new RegistryConfig();

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
