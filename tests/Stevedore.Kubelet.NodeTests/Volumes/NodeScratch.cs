using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.NodeTests.Volumes;

/// <summary>
/// A kubelet root of a test's own under /tmp and a <see cref="VolumeManager"/> on it. Dispose unmounts
/// whatever is still mounted beneath it and deletes it, also when the test failed halfway.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class NodeScratch : IDisposable
{
    public NodeScratch(VolumeClusterFixture cluster, TimeProvider? time = null)
    {
        Root = Directory.CreateTempSubdirectory("stevedore-volumes-node-").FullName;
        Sources = new ApiPodSources(cluster.Client);
        Volumes = new VolumeManager(Root, Sources, time ?? TimeProvider.System, NullLogger.Instance);
    }

    public string Root { get; }

    public ApiPodSources Sources { get; }

    public VolumeManager Volumes { get; }

    /// <summary>A scratch folder beside the kubelet root (for hostPath targets), removed with it.</summary>
    public string Outside(string name)
    {
        var path = Path.Combine(Root + "-outside", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    public static bool IsMounted(string path) => MountTable.IsMountPoint(MountTable.Current(), path);

    public static string? FileSystemAt(string path) => MountTable.Current().LastOrDefault(m => m.MountPoint == path)?.FileSystemType;

    public void Dispose()
    {
        foreach (var mountPoint in MountTable.MountPointsUnder(MountTable.Current(), Root))
        {
            LinuxFiles.Unmount(mountPoint);
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        if (Directory.Exists(Root + "-outside"))
        {
            Directory.Delete(Root + "-outside", recursive: true);
        }
    }
}
