namespace Stevedore.Network.Cni;

/// <summary>
/// A CNI plugin failed: the plugin, the command (ADD, DEL, CHECK, VERSION) and the error the plugin
/// reported (<c>code</c>, <c>msg</c>, <c>details</c> of the CNI error result). Code 0 means the failure
/// happened around the plugin rather than inside it: it could not be found or started, or its output
/// was not a CNI result.
/// </summary>
public sealed class CniException : Exception
{
    /// <summary>CNI spec error code 1: incompatible CNI version.</summary>
    public const int IncompatibleVersion = 1;
    /// <summary>CNI spec error code 2: unsupported field in the network configuration.</summary>
    public const int UnsupportedField = 2;
    /// <summary>CNI spec error code 3: container unknown or does not exist.</summary>
    public const int UnknownContainer = 3;
    /// <summary>CNI spec error code 4: invalid necessary environment variables.</summary>
    public const int InvalidEnvironment = 4;
    /// <summary>CNI spec error code 5: I/O failure.</summary>
    public const int IoFailure = 5;
    /// <summary>CNI spec error code 6: failed to decode content.</summary>
    public const int DecodingFailure = 6;
    /// <summary>CNI spec error code 7: invalid network configuration.</summary>
    public const int InvalidNetworkConfig = 7;
    /// <summary>CNI spec error code 11: try again later.</summary>
    public const int TryAgainLater = 11;

    public CniException(string plugin, string command, int code, string pluginMessage, string details)
        : base(Describe(plugin, command, code, pluginMessage, details))
    {
        Plugin = plugin;
        Command = command;
        Code = code;
        PluginMessage = pluginMessage;
        Details = details;
    }

    /// <summary>The plugin type (e.g. <c>bridge</c>).</summary>
    public string Plugin { get; }

    /// <summary>ADD, DEL, CHECK or VERSION.</summary>
    public string Command { get; }

    /// <summary>The CNI error code; 0 when the plugin gave none.</summary>
    public int Code { get; }

    /// <summary>The plugin's <c>msg</c>, verbatim.</summary>
    public string PluginMessage { get; }

    /// <summary>The plugin's <c>details</c>, verbatim (may be empty).</summary>
    public string Details { get; }

    private static string Describe(string plugin, string command, int code, string message, string details)
    {
        var meaning = code switch
        {
            IncompatibleVersion => "incompatible CNI version",
            UnsupportedField => "unsupported field in network configuration",
            UnknownContainer => "container unknown or does not exist",
            InvalidEnvironment => "invalid environment variables",
            IoFailure => "I/O failure",
            DecodingFailure => "failed to decode content",
            InvalidNetworkConfig => "invalid network configuration",
            TryAgainLater => "try again later",
            _ => null,
        };
        var codeText = code == 0 ? "" : meaning is null ? $" (code {code})" : $" (code {code}: {meaning})";
        return $"CNI plugin {plugin} failed on {command}{codeText}: {message}" + (string.IsNullOrEmpty(details) ? "" : "; " + details);
    }
}
