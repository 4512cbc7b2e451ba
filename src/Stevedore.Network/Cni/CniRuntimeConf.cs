using System.Text.Json.Nodes;

namespace Stevedore.Network.Cni;

/// <summary>What the runtime tells every plugin about one attachment: the container, its network namespace and interface.</summary>
public sealed record CniRuntimeConf
{
    /// <summary>CNI_CONTAINERID: a stable ID (the sandbox ID); plugins key their state on it.</summary>
    public required string ContainerId { get; init; }

    /// <summary>CNI_NETNS: the path of the network namespace (e.g. <c>/run/netns/cni-…</c>); empty when it no longer exists.</summary>
    public string NetnsPath { get; init; } = "";

    /// <summary>CNI_IFNAME: the interface to create inside the namespace.</summary>
    public string IfName { get; init; } = "eth0";

    /// <summary>CNI_ARGS as key/value pairs (e.g. <c>K8S_POD_NAME</c>); <c>IgnoreUnknown=1</c> is added in front.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Args { get; init; } = [];

    /// <summary>Capability arguments (e.g. <c>portMappings</c>); a plugin receives in <c>runtimeConfig</c> only those it declares.</summary>
    public IReadOnlyDictionary<string, JsonNode> CapabilityArgs { get; init; } = new Dictionary<string, JsonNode>();

    /// <summary>Checks the values the CNI spec constrains, so a bad ID fails here rather than inside a plugin.</summary>
    public void Validate()
    {
        if (ContainerId.Length == 0 || !char.IsAsciiLetterOrDigit(ContainerId[0]) || !ContainerId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            throw new ArgumentException($"invalid CNI container ID \"{ContainerId}\": it must start with a letter or digit and hold only letters, digits, _ . -");
        }

        if (IfName.Length is 0 or > 15 || IfName is "." or ".." || IfName.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"invalid interface name \"{IfName}\": 1 to 15 characters, no '/', ':' or spaces");
        }

        foreach (var (key, value) in Args)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains(';', StringComparison.Ordinal) || value.Contains(';', StringComparison.Ordinal))
            {
                throw new ArgumentException($"invalid CNI_ARGS entry \"{key}={value}\": keys must be non-empty without '=' or ';', values without ';'");
            }
        }
    }
}
