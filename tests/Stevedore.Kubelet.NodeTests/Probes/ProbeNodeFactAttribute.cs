namespace Stevedore.Kubelet.NodeTests.Probes;

/// <summary>A fact that needs root and runc (real containers through the engine's CRI server); skipped with the reason otherwise.</summary>
public sealed class ProbeNodeFactAttribute : FactAttribute
{
    public ProbeNodeFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "exec probe and hook tests need root (overlay mounts, runc, cgroups)";
        }
        else if (!File.Exists("/usr/sbin/runc") && !File.Exists("/usr/bin/runc"))
        {
            Skip = "exec probe and hook tests need runc (Debian package runc)";
        }
    }
}
