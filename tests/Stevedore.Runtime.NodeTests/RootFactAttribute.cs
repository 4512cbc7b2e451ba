namespace Stevedore.Runtime.NodeTests;

/// <summary>A fact that needs root and runc; skipped with the reason otherwise (CI runs as root).</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        Skip = NodeEnvironment.SkipReason;
    }
}

/// <summary>What the node tests need from the machine.</summary>
public static class NodeEnvironment
{
    /// <summary>Null when the tests can run, else why not.</summary>
    public static string? SkipReason { get; } = ComputeSkipReason();

    private static string? ComputeSkipReason()
    {
        if (Environment.UserName != "root")
        {
            return "node tests need root (overlay mounts, runc, cgroups)";
        }

        var runc = new[] { "/usr/sbin/runc", "/usr/bin/runc" }.FirstOrDefault(File.Exists);
        return runc is null ? "node tests need runc (Debian package runc)" : null;
    }
}

/// <summary>A theory that needs root and runc; skipped with the reason otherwise.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        Skip = NodeEnvironment.SkipReason;
    }
}
