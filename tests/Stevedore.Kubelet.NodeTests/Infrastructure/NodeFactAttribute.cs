namespace Stevedore.Kubelet.NodeTests.Infrastructure;

/// <summary>A fact that needs root and runc; skipped with the reason otherwise.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        Skip = NodeRequirements.Missing();
    }
}

/// <summary>A theory that needs root, runc and the installed kubectl releases.</summary>
public sealed class KubectlTheoryAttribute : TheoryAttribute
{
    public KubectlTheoryAttribute()
    {
        Skip = NodeRequirements.Missing() ?? (File.Exists(Kubectl.PathOf("1.32")) && File.Exists(Kubectl.PathOf("1.27"))
            ? null
            : "kubectl 1.27 and 1.32 are expected at /usr/lib/google-cloud-sdk/bin/kubectl.1.NN");
    }
}

internal static class NodeRequirements
{
    public static string? Missing() =>
        Environment.UserName != "root" ? "node tests need root (overlay mounts, runc, cgroups, network namespaces)"
        : !File.Exists("/usr/sbin/runc") && !File.Exists("/usr/bin/runc") ? "node tests need runc (Debian package runc)"
        : null;
}
