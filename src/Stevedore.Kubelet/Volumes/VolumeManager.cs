using System.Collections.Concurrent;
using System.Runtime.Versioning;
using System.Text.Json;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Cri.V1;

namespace Stevedore.Kubelet.Volumes;

/// <summary>
/// Volumes on the node, laid out as upstream's kubelet lays them out:
/// <c>ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME</c>, subPath mounts pinned under
/// <c>ROOT/pods/UID/volume-subpaths/VOLUME/CONTAINER/INDEX</c>. emptyDir is a directory (a tmpfs with
/// medium Memory); secret, downwardAPI and projected volumes live on a tmpfs so their content never
/// reaches the disk; configMap on disk. Their files are written by <see cref="AtomicWriter"/>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class VolumeManager : IVolumeManager
{
    public const string EmptyDirPlugin = "kubernetes.io~empty-dir";
    public const string ConfigMapPlugin = "kubernetes.io~configmap";
    public const string SecretPlugin = "kubernetes.io~secret";
    public const string DownwardApiPlugin = "kubernetes.io~downward-api";
    public const string ProjectedPlugin = "kubernetes.io~projected";

    private const ulong MsNoSuid = 0x2;
    private const ulong MsNoDev = 0x4;
    private const UnixFileMode WorldWritable = (UnixFileMode)0x1FF; // 0777
    private const UnixFileMode PrivateDirectory = (UnixFileMode)0x1E8; // 0750

    private readonly string _root;
    private readonly IPodSources _sources;
    private readonly NodeAllocatable _node;
    private readonly ServiceAccountTokenCache _tokens;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _podLocks = new(StringComparer.Ordinal);

    /// <param name="kubeletRoot">The agent's data folder; pods' volumes go under <c>pods/</c> inside it.</param>
    public VolumeManager(string kubeletRoot, IPodSources sources, TimeProvider time, ILogger logger, NodeAllocatable? node = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kubeletRoot);
        _root = Path.GetFullPath(kubeletRoot);
        _sources = sources;
        _time = time;
        _logger = logger;
        _node = node ?? new NodeAllocatable(sources, time);
        _tokens = new ServiceAccountTokenCache(sources, time);
    }

    /// <summary><c>ROOT/pods/UID</c>: everything of one pod on this node.</summary>
    public string PodDirectory(string podUid) => Path.Combine(_root, "pods", CheckUid(podUid));

    /// <summary><c>ROOT/pods/UID/volumes/kubernetes.io~PLUGIN/NAME</c>.</summary>
    public string VolumeDirectory(string podUid, string plugin, string volumeName) =>
        Path.Combine(PodDirectory(podUid), "volumes", plugin, CheckName(volumeName));

    public async Task SetUpAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var uid = UidOf(pod);
        var podLock = _podLocks.GetOrAdd(uid, _ => new SemaphoreSlim(1, 1));
        await podLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.Combine(PodDirectory(uid), "volumes"), PrivateDirectory);
            var mounts = MountTable.Current();
            var failures = new List<string>();
            foreach (var volume in pod.Spec?.Volumes ?? [])
            {
                try
                {
                    await SetUpVolumeAsync(pod, uid, volume, mounts, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsVolumeFailure(ex, cancellationToken))
                {
                    failures.Add($"MountVolume.SetUp failed for volume \"{volume.Name}\" : {ApiErrorMessage.Of(ex)}");
                }
            }

            if (failures.Count > 0)
            {
                throw new PodConfigException("FailedMount", string.Join("; ", failures));
            }
        }
        finally
        {
            podLock.Release();
        }
    }

    public async Task RefreshAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        var uid = UidOf(pod);
        var podLock = _podLocks.GetOrAdd(uid, _ => new SemaphoreSlim(1, 1));
        await podLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var volume in pod.Spec?.Volumes ?? [])
            {
                if (PluginOf(volume) is not (ConfigMapPlugin or SecretPlugin or DownwardApiPlugin or ProjectedPlugin) ||
                    !Directory.Exists(Path.Combine(VolumeDirectory(uid, PluginOf(volume)!, volume.Name), AtomicWriterPlan.DataDirName)))
                {
                    continue;
                }

                try
                {
                    if (await WriteFilesAsync(pod, uid, volume, cancellationToken).ConfigureAwait(false))
                    {
                        LogRefreshed(pod.Metadata.NamespaceProperty, pod.Metadata.Name, volume.Name);
                    }
                }
                catch (Exception ex) when (IsVolumeFailure(ex, cancellationToken))
                {
                    // The files stay as they were: a source deleted while the pod runs does not empty its volume.
                    LogRefreshFailed(pod.Metadata.NamespaceProperty, pod.Metadata.Name, volume.Name, ApiErrorMessage.Of(ex));
                }
            }
        }
        finally
        {
            podLock.Release();
        }
    }

    public async Task TearDownAsync(string podUid, CancellationToken cancellationToken)
    {
        var podDirectory = PodDirectory(podUid);
        var podLock = _podLocks.GetOrAdd(podUid, _ => new SemaphoreSlim(1, 1));
        await podLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _tokens.Forget(podUid);
            if (!Directory.Exists(podDirectory))
            {
                return;
            }

            foreach (var mountPoint in MountTable.MountPointsUnder(MountTable.Current(), podDirectory))
            {
                LinuxFiles.Unmount(mountPoint);
            }

            // Deleting through a mount would delete what it shows (a subPath's source, a host directory): never.
            var remaining = MountTable.MountPointsUnder(MountTable.Current(), podDirectory);
            if (remaining.Count > 0)
            {
                throw new IOException($"cannot remove {podDirectory}: still mounted: {string.Join(", ", remaining)}");
            }

            Directory.Delete(podDirectory, recursive: true);
        }
        finally
        {
            podLock.Release();
            _podLocks.TryRemove(podUid, out _);
        }
    }

    public IReadOnlyList<Mount> MountsFor(V1Pod pod, V1Container container, IReadOnlyList<KeyValue>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        var uid = UidOf(pod);
        var volumes = (pod.Spec?.Volumes ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var mounts = new List<Mount>();
        var index = 0;
        foreach (var volumeMount in container.VolumeMounts ?? [])
        {
            var mountIndex = index++;
            if (!volumes.TryGetValue(volumeMount.Name, out var volume))
            {
                throw ConfigError($"cannot find volume \"{volumeMount.Name}\" to mount into container \"{container.Name}\"");
            }

            var (hostPath, alwaysReadOnly) = HostPathOf(uid, volume, container.Name);
            var subPath = SubPathOf(volumeMount, environment);
            if (!string.IsNullOrEmpty(subPath))
            {
                if (VolumePathRules.SubPathError(subPath) is { } error)
                {
                    throw ConfigError($"unable to provision SubPath `{subPath}`: {error}");
                }

                try
                {
                    hostPath = PinSubPath(uid, volume.Name, container.Name, mountIndex, hostPath, subPath);
                }
                catch (IOException ex)
                {
                    // The detail names host paths; the pod's status only learns which mount failed, as upstream.
                    LogSubPathFailed(pod.Metadata.NamespaceProperty, pod.Metadata.Name, container.Name, volumeMount.Name, ex.Message);
                    throw ConfigError($"failed to prepare subPath for volumeMount \"{volumeMount.Name}\" of container \"{container.Name}\"");
                }
            }

            mounts.Add(new Mount
            {
                ContainerPath = volumeMount.MountPath,
                HostPath = hostPath,
                Readonly = volumeMount.ReadOnlyProperty == true || alwaysReadOnly,
            });
        }

        return mounts;
    }

    private async Task SetUpVolumeAsync(V1Pod pod, string uid, V1Volume volume, IReadOnlyList<MountEntry> mounts, CancellationToken cancellationToken)
    {
        if (volume.HostPath is { } hostPath)
        {
            if (HostPathTypes.Check(hostPath.Path, hostPath.Type) is { } failure)
            {
                throw new VolumeSourceException(failure);
            }

            return;
        }

        var plugin = PluginOf(volume) ?? throw new VolumeSourceException($"volume type {VolumeTypeName(volume)} is not supported on this node");
        var directory = VolumeDirectory(uid, plugin, volume.Name);
        var fsGroup = pod.Spec?.SecurityContext?.FsGroup;
        if (plugin == EmptyDirPlugin)
        {
            var created = !Directory.Exists(directory);
            Directory.CreateDirectory(directory);
            if (volume.EmptyDir.Medium == "Memory" && !MountTable.IsMountPoint(mounts, directory))
            {
                var size = MemoryVolumeSize(pod, volume.EmptyDir);
                LinuxFiles.Mount("tmpfs", directory, "tmpfs", MsNoSuid | MsNoDev, size is null ? "mode=0777" : $"mode=0777,size={size}");
                created = true;
            }

            if (created)
            {
                File.SetUnixFileMode(directory, WorldWritable);
                if (fsGroup is { } gid)
                {
                    LinuxFiles.LChown(directory, -1, (int)gid);
                    File.SetUnixFileMode(directory, WorldWritable | UnixFileMode.SetGroup);
                }
            }

            return;
        }

        Directory.CreateDirectory(directory);
        if (plugin != ConfigMapPlugin && !MountTable.IsMountPoint(mounts, directory))
        {
            LinuxFiles.Mount("tmpfs", directory, "tmpfs", MsNoSuid | MsNoDev, "mode=0755");
        }

        await WriteFilesAsync(pod, uid, volume, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Builds the volume's payload from its sources and writes it atomically; true when the files changed.</summary>
    private async Task<bool> WriteFilesAsync(V1Pod pod, string uid, V1Volume volume, CancellationToken cancellationToken)
    {
        var payload = await PayloadAsync(pod, volume, cancellationToken).ConfigureAwait(false);
        var fsGroup = pod.Spec?.SecurityContext?.FsGroup;
        payload = VolumePayloads.WithGroupAccess(payload, fsGroup);
        var writer = new AtomicWriter(VolumeDirectory(uid, PluginOf(volume)!, volume.Name), _time);
        return writer.Write(payload, fsGroup is { } gid ? (int)gid : null);
    }

    private async Task<Dictionary<string, FileProjection>> PayloadAsync(V1Pod pod, V1Volume volume, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        if (volume.ConfigMap is { } configMap)
        {
            var mode = configMap.DefaultMode ?? VolumePayloads.DefaultMode;
            var found = await _sources.GetConfigMapAsync(ns, configMap.Name, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                return configMap.Optional == true ? [] : throw new VolumeSourceException($"configmap \"{configMap.Name}\" not found");
            }

            return VolumePayloads.Keyed(VolumePayloads.ConfigMapData(found), configMap.Items, mode, configMap.Optional == true, secret: false);
        }

        if (volume.Secret is { } secret)
        {
            var mode = secret.DefaultMode ?? VolumePayloads.DefaultMode;
            var found = await _sources.GetSecretAsync(ns, secret.SecretName, cancellationToken).ConfigureAwait(false);
            if (found is null)
            {
                return secret.Optional == true ? [] : throw new VolumeSourceException($"secret \"{secret.SecretName}\" not found");
            }

            return VolumePayloads.Keyed(VolumePayloads.SecretData(found), secret.Items, mode, secret.Optional == true, secret: true);
        }

        if (volume.DownwardAPI is { } downward)
        {
            var allocatable = await _node.GetAsync(pod.Spec?.NodeName, cancellationToken).ConfigureAwait(false);
            return VolumePayloads.DownwardApi(pod, downward.Items, downward.DefaultMode ?? VolumePayloads.DefaultMode, allocatable);
        }

        return await ProjectedPayloadAsync(pod, volume.Projected, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Dictionary<string, FileProjection>> ProjectedPayloadAsync(V1Pod pod, V1ProjectedVolumeSource projected, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var mode = projected.DefaultMode ?? VolumePayloads.DefaultMode;
        var payload = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var source in projected.Sources ?? [])
        {
            Dictionary<string, FileProjection> files;
            if (source.ConfigMap is { } configMap)
            {
                var found = await _sources.GetConfigMapAsync(ns, configMap.Name, cancellationToken).ConfigureAwait(false);
                if (found is null)
                {
                    if (configMap.Optional == true)
                    {
                        continue;
                    }

                    throw new VolumeSourceException($"configmap \"{configMap.Name}\" not found");
                }

                files = VolumePayloads.Keyed(VolumePayloads.ConfigMapData(found), configMap.Items, mode, configMap.Optional == true, secret: false);
            }
            else if (source.Secret is { } secret)
            {
                var found = await _sources.GetSecretAsync(ns, secret.Name, cancellationToken).ConfigureAwait(false);
                if (found is null)
                {
                    if (secret.Optional == true)
                    {
                        continue;
                    }

                    throw new VolumeSourceException($"secret \"{secret.Name}\" not found");
                }

                files = VolumePayloads.Keyed(VolumePayloads.SecretData(found), secret.Items, mode, secret.Optional == true, secret: true);
            }
            else if (source.DownwardAPI is { } downward)
            {
                var allocatable = await _node.GetAsync(pod.Spec?.NodeName, cancellationToken).ConfigureAwait(false);
                files = VolumePayloads.DownwardApi(pod, downward.Items, mode, allocatable);
            }
            else if (source.ServiceAccountToken is { } tokenSource)
            {
                string token;
                try
                {
                    token = await _tokens.GetAsync(pod, tokenSource, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsVolumeFailure(ex, cancellationToken))
                {
                    throw new VolumeSourceException($"failed to fetch token: {ApiErrorMessage.Of(ex)}");
                }

                files = new Dictionary<string, FileProjection>(StringComparer.Ordinal)
                {
                    [AtomicWriterPlan.Normalize(tokenSource.Path)] = new FileProjection(System.Text.Encoding.UTF8.GetBytes(token), mode),
                };
                if (VolumePathRules.FilePathError(tokenSource.Path) is { } error)
                {
                    throw new VolumeSourceException(error);
                }
            }
            else
            {
                continue;
            }

            foreach (var (path, file) in files)
            {
                payload[path] = file;
            }
        }

        return payload;
    }

    /// <summary>Where a volume is on the host, and whether it is always read-only in containers (as upstream's managed volumes are).</summary>
    private (string HostPath, bool AlwaysReadOnly) HostPathOf(string uid, V1Volume volume, string containerName)
    {
        if (volume.HostPath is { } hostPath)
        {
            return (hostPath.Path, false);
        }

        var plugin = PluginOf(volume) ?? throw ConfigError($"volume \"{volume.Name}\" of type {VolumeTypeName(volume)} is not supported on this node");
        var directory = VolumeDirectory(uid, plugin, volume.Name);
        if (!Directory.Exists(directory))
        {
            throw ConfigError($"volume \"{volume.Name}\" for container \"{containerName}\" is not set up on this node");
        }

        return (directory, plugin != EmptyDirPlugin);
    }

    private static string? SubPathOf(V1VolumeMount mount, IReadOnlyList<KeyValue>? environment)
    {
        if (string.IsNullOrEmpty(mount.SubPathExpr))
        {
            return mount.SubPath;
        }

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in environment ?? [])
        {
            variables[kv.Key] = kv.Value;
        }

        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var expanded = VariableExpansion.Expand(mount.SubPathExpr, name =>
        {
            if (!variables.TryGetValue(name, out var value) || value.Length == 0)
            {
                missing.Add(name);
            }

            return value ?? "";
        });
        return missing.Count > 0 ? throw ConfigError($"missing value for {string.Join(", ", missing)}") : expanded;
    }

    /// <summary>Bind-mounts the resolved subPath onto its own mount point, so the container gets exactly what was checked.</summary>
    private string PinSubPath(string uid, string volumeName, string containerName, int index, string volumePath, string subPath)
    {
        var root = SubPathResolver.Canonical(volumePath);
        var resolved = SubPathResolver.Resolve(root, subPath);
        var relative = resolved == root ? [] : VolumePathRules.Elements(resolved[(root.TrimEnd('/').Length + 1)..]);
        var target = Path.Combine(PodDirectory(uid), "volume-subpaths", CheckName(volumeName), CheckName(containerName), index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var fd = LinuxFiles.OpenBeneath(root, relative);
        try
        {
            var kind = LinuxFiles.KindOfDescriptor(fd);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!, PrivateDirectory);
            if (MountTable.IsMountPoint(MountTable.Current(), target))
            {
                LinuxFiles.Unmount(target);
            }

            var existing = LinuxFiles.KindOf(target, followSymlink: false);
            if (kind == FileKind.Directory)
            {
                if (existing is not (FileKind.Directory or FileKind.Missing))
                {
                    File.Delete(target);
                }

                Directory.CreateDirectory(target);
            }
            else
            {
                if (existing == FileKind.Directory)
                {
                    Directory.Delete(target);
                }

                if (existing != FileKind.File)
                {
                    File.WriteAllBytes(target, []);
                }
            }

            LinuxFiles.Mount($"/proc/self/fd/{fd}", target, null, LinuxFiles.MsBind, null);
            return target;
        }
        finally
        {
            LinuxFiles.Close(fd);
        }
    }

    /// <summary>A Memory emptyDir's tmpfs size: its sizeLimit, else the pod's memory limit when every container has one.</summary>
    private static long? MemoryVolumeSize(V1Pod pod, V1EmptyDirVolumeSource emptyDir)
    {
        if (emptyDir.SizeLimit is { } limit && limit.ToDecimal() > 0)
        {
            return (long)Math.Ceiling(limit.ToDecimal());
        }

        var containers = pod.Spec?.Containers ?? [];
        if (containers.Count > 0 && containers.All(c => c.Resources?.Limits?.ContainsKey("memory") == true))
        {
            return (long)containers.Sum(c => Math.Ceiling(c.Resources.Limits["memory"].ToDecimal()));
        }

        return null;
    }

    private static string? PluginOf(V1Volume volume) => volume switch
    {
        { EmptyDir: not null } => EmptyDirPlugin,
        { ConfigMap: not null } => ConfigMapPlugin,
        { Secret: not null } => SecretPlugin,
        { DownwardAPI: not null } => DownwardApiPlugin,
        { Projected: not null } => ProjectedPlugin,
        _ => null,
    };

    private static string VolumeTypeName(V1Volume volume)
    {
        using var json = JsonDocument.Parse(k8s.KubernetesJson.Serialize(volume));
        return json.RootElement.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n != "name") ?? "unknown";
    }

    private static string UidOf(V1Pod pod) =>
        CheckUid(pod?.Metadata?.Uid ?? throw new ArgumentException("the pod has no metadata.uid", nameof(pod)));

    /// <summary>A pod uid becomes a directory name: refuse anything that could name another place.</summary>
    private static string CheckUid(string uid) =>
        uid.Length == 0 || uid.Length > 128 || uid.Contains('/', StringComparison.Ordinal) || uid.Contains('\0', StringComparison.Ordinal) || uid is "." or ".."
            ? throw new ArgumentException($"invalid pod uid: {uid}", nameof(uid))
            : uid;

    private static string CheckName(string name) =>
        name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal) || name is "." or ".."
            ? throw ConfigError($"invalid volume or container name: {name}")
            : name;

    private static PodConfigException ConfigError(string message) => new("CreateContainerConfigError", message);

    private static bool IsVolumeFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is VolumeSourceException or ArgumentException or IOException or UnauthorizedAccessException or HttpOperationException or HttpRequestException
            or InvalidOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested;

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Name}: volume {Volume} updated")]
    private partial void LogRefreshed(string? @namespace, string? name, string volume);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Namespace}/{Name}: volume {Volume} kept its files: {Reason}")]
    private partial void LogRefreshFailed(string? @namespace, string? name, string volume, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Namespace}/{Name}: subPath of volumeMount {Mount} in container {Container} refused: {Reason}")]
    private partial void LogSubPathFailed(string? @namespace, string? name, string container, string mount, string reason);
}
