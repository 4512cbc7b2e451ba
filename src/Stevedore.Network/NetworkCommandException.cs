namespace Stevedore.Network;

/// <summary>A host networking tool (<c>ip</c>, <c>nft</c>, <c>iptables</c>) refused a change; carries what it said.</summary>
public sealed class NetworkCommandException(string program, IReadOnlyList<string> args, int exitCode, string output)
    : Exception($"{program} {string.Join(' ', args)} failed (exit {exitCode}): {output}")
{
    /// <summary>The tool that failed.</summary>
    public string Program { get; } = program;

    /// <summary>Its exit code.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>What it printed (stderr, or stdout when stderr was empty).</summary>
    public string Output { get; } = output;
}
