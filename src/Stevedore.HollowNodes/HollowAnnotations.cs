namespace Stevedore.HollowNodes;

/// <summary>Pod annotations that script what a hollow node's "containers" do.</summary>
public static class HollowAnnotations
{
    /// <summary>When set to an integer, every container exits with that code (after <see cref="RunSeconds"/>).</summary>
    public const string ExitCode = "hollow.stevedore.io/exit-code";

    /// <summary>Seconds each container runs before exiting (default 0); only meaningful with <see cref="ExitCode"/>.</summary>
    public const string RunSeconds = "hollow.stevedore.io/run-seconds";

    /// <summary>Label put on every hollow node.</summary>
    public const string HollowNodeLabel = "node.stevedore.io/hollow";
}
