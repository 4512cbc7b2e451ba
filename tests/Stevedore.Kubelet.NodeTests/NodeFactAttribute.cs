namespace Stevedore.Kubelet.NodeTests;

/// <summary>A fact that needs root and runc; skipped with the reason otherwise.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "kubelet node tests need root (overlay mounts, runc, cgroups)";
        }
        else if (!File.Exists("/usr/sbin/runc") && !File.Exists("/usr/bin/runc"))
        {
            Skip = "kubelet node tests need runc (Debian package runc)";
        }
    }
}
