using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stevedore.Network.Cni;

/// <summary>
/// A CNI network configuration list (<c>.conflist</c>): a network name, a CNI version and the plugins
/// run in order on ADD and in reverse on DEL. A single-plugin <c>.conf</c> is read as a list of one.
/// </summary>
public sealed class CniNetworkConfigList
{
    /// <summary>The file extensions a configuration directory is searched for, as libcni does.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".conflist", ".conf", ".json"];

    private CniNetworkConfigList(string name, string cniVersion, bool disableCheck, IReadOnlyList<JsonObject> plugins, string source, string json)
    {
        Name = name;
        CniVersion = cniVersion;
        DisableCheck = disableCheck;
        Plugins = plugins;
        Source = source;
        Json = json;
    }

    /// <summary>The network name (host-local keys its allocations on it).</summary>
    public string Name { get; }

    /// <summary>The CNI spec version the plugins are spoken to in.</summary>
    public string CniVersion { get; }

    /// <summary>Whether CHECK is disabled for this network.</summary>
    public bool DisableCheck { get; }

    /// <summary>Each plugin's configuration, in ADD order (each has a <c>type</c>).</summary>
    public IReadOnlyList<JsonObject> Plugins { get; }

    /// <summary>Where the configuration came from (a file path, or a description).</summary>
    public string Source { get; }

    /// <summary>The configuration text, so a later DEL can use exactly what ADD used.</summary>
    public string Json { get; }

    /// <summary>The network runtimes attach to every sandbox's <c>lo</c>, outside the configured list.</summary>
    public static CniNetworkConfigList Loopback { get; } =
        Parse("""{"cniVersion":"1.0.0","name":"cni-loopback","plugins":[{"type":"loopback"}]}""", "built-in loopback network");

    /// <summary>Parses a conflist, or a single plugin configuration as a list of one.</summary>
    /// <exception cref="CniConfigException">The text is not a valid network configuration.</exception>
    public static CniNetworkConfigList Parse(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new CniConfigException($"{source}: a network configuration must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CniConfigException($"{source}: not valid JSON: {ex.Message}", ex);
        }

        try
        {
            var name = root["name"]?.GetValue<string>() ?? "";
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                throw new CniConfigException($"{source}: \"name\" must be set and hold only letters, digits, _ . - (got \"{name}\")");
            }

            var version = root["cniVersion"]?.GetValue<string>() ?? "";
            if (ParseVersion(version) is null)
            {
                throw new CniConfigException($"{source}: \"cniVersion\" must be a version such as 1.0.0 (got \"{version}\")");
            }

            List<JsonObject> plugins;
            if (root["plugins"] is { } pluginsNode)
            {
                if (pluginsNode is not JsonArray array || array.Count == 0)
                {
                    throw new CniConfigException($"{source}: \"plugins\" must be a non-empty array");
                }

                plugins = [.. array.Select((p, i) => p as JsonObject ?? throw new CniConfigException($"{source}: plugin {i} is not an object"))];
            }
            else if (root["type"] is not null)
            {
                plugins = [root];
            }
            else
            {
                throw new CniConfigException($"{source}: neither \"plugins\" (a conflist) nor \"type\" (a single plugin) is set");
            }

            for (var i = 0; i < plugins.Count; i++)
            {
                var type = plugins[i]["type"]?.GetValue<string>() ?? "";
                if (type.Length == 0 || type.Contains('/', StringComparison.Ordinal) || type is "." or "..")
                {
                    throw new CniConfigException($"{source}: plugin {i} needs a \"type\" naming a plugin binary (got \"{type}\")");
                }
            }

            var disableCheck = root["disableCheck"] is { } check && check.GetValue<bool>();
            return new CniNetworkConfigList(name, version, disableCheck, [.. plugins.Select(p => (JsonObject)p.DeepClone())], source, json);
        }
        catch (InvalidOperationException ex)
        {
            // GetValue on a node of the wrong JSON kind.
            throw new CniConfigException($"{source}: a field has the wrong type: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a configuration file.</summary>
    /// <exception cref="CniConfigException">The file cannot be read or is not valid.</exception>
    public static CniNetworkConfigList Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CniConfigException($"{path}: cannot read: {ex.Message}", ex);
        }

        return Parse(text, path);
    }

    /// <summary>
    /// The configuration a runtime uses from <paramref name="confDir"/>: the first file (ordinal name order)
    /// with a CNI extension, as containerd and CRI-O pick it; null when the directory holds none.
    /// </summary>
    /// <exception cref="CniConfigException">That first file is not valid.</exception>
    public static CniNetworkConfigList? LoadDefault(string confDir)
    {
        var first = ConfigFiles(confDir).FirstOrDefault();
        return first is null ? null : Load(first);
    }

    /// <summary>The configuration files in a directory, in the order a runtime considers them.</summary>
    public static IReadOnlyList<string> ConfigFiles(string confDir) =>
        Directory.Exists(confDir)
            ? [.. Directory.EnumerateFiles(confDir)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.Ordinal))
                .Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Parses <c>major.minor.patch</c> (patch optional); null when malformed.</summary>
    public static Version? ParseVersion(string text)
    {
        var parts = text.Split('.');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
        {
            return null;
        }

        return new Version(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts.Length == 3 ? int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : 0);
    }
}
