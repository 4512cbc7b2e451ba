using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.NodeTests.Volumes;

[Collection(VolumeClusterCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class VolumeManagerTests(VolumeClusterFixture cluster)
{
    private IKubernetes Api => cluster.Client;

    private async Task<V1Pod> CreatePodAsync(string ns, Action<V1PodSpec> configure, IDictionary<string, string>? labels = null, bool automount = false)
    {
        var spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "c", Image = "busybox", VolumeMounts = [] }],
            Volumes = [],
            AutomountServiceAccountToken = automount ? null : false,
        };
        configure(spec);
        return await Api.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "p-" + Guid.NewGuid().ToString("N")[..6], Labels = labels }, Spec = spec }, ns);
    }

    private static string Read(string path) => File.ReadAllText(path);

    [Fact]
    public async Task SetUp_EmptyDirOnDisk_IsAWorldWritableDirectory_TearDownRemovesThePod()
    {
        using var node = new NodeScratch(cluster);
        var pod = await CreatePodAsync(await cluster.CreateNamespaceAsync(), s => s.Volumes.Add(new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() }));

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var dir = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.EmptyDirPlugin, "scratch");
        Assert.Equal(Path.Combine(node.Root, "pods", pod.Metadata.Uid, "volumes", "kubernetes.io~empty-dir", "scratch"), dir);
        Assert.Equal((UnixFileMode)0x1FF, File.GetUnixFileMode(dir));
        Assert.False(NodeScratch.IsMounted(dir));
        await File.WriteAllTextAsync(Path.Combine(dir, "data"), "kept");

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal("kept", Read(Path.Combine(dir, "data")));

        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.False(Directory.Exists(node.Volumes.PodDirectory(pod.Metadata.Uid)));
        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Fact]
    public async Task SetUp_EmptyDirInMemory_IsATmpfsThatEnforcesItsSizeLimit_AndIsUnmountedOnTearDown()
    {
        using var node = new NodeScratch(cluster);
        var pod = await CreatePodAsync(await cluster.CreateNamespaceAsync(), s => s.Volumes.Add(new V1Volume
        {
            Name = "ram",
            EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("1Mi") },
        }));

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);
        var dir = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.EmptyDirPlugin, "ram");

        Assert.Equal("tmpfs", NodeScratch.FileSystemAt(dir));
        await File.WriteAllBytesAsync(Path.Combine(dir, "small"), new byte[512 * 1024]);
        await Assert.ThrowsAsync<IOException>(() => File.WriteAllBytesAsync(Path.Combine(dir, "big"), new byte[2 * 1024 * 1024]));

        // Setting up again must not stack a second tmpfs over the first.
        await node.Volumes.SetUpAsync(pod, CancellationToken.None);
        Assert.Single(MountTable.Current(), m => m.MountPoint == dir);
        Assert.True(File.Exists(Path.Combine(dir, "small")));

        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.False(NodeScratch.IsMounted(dir));
        Assert.False(Directory.Exists(node.Volumes.PodDirectory(pod.Metadata.Uid)));
    }

    [Fact]
    public async Task SetUp_HostPathTypes_CreateWhatMayBeCreatedAndCheckTheRest()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        var newDir = node.Outside("made/by/kubelet");
        var newFile = node.Outside("file.log");
        var socketPath = node.Outside("agent.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var pod = await CreatePodAsync(ns, s =>
        {
            s.Volumes.Add(new V1Volume { Name = "d", HostPath = new V1HostPathVolumeSource { Path = newDir, Type = "DirectoryOrCreate" } });
            s.Volumes.Add(new V1Volume { Name = "f", HostPath = new V1HostPathVolumeSource { Path = newFile, Type = "FileOrCreate" } });
            s.Volumes.Add(new V1Volume { Name = "s", HostPath = new V1HostPathVolumeSource { Path = socketPath, Type = "Socket" } });
            s.Volumes.Add(new V1Volume { Name = "c", HostPath = new V1HostPathVolumeSource { Path = "/dev/null", Type = "CharDevice" } });
            s.Volumes.Add(new V1Volume { Name = "any", HostPath = new V1HostPathVolumeSource { Path = "/nonexistent-" + Guid.NewGuid().ToString("N") } });
        });

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        Assert.True(Directory.Exists(newDir));
        Assert.True(File.Exists(newFile));
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(newFile) & (UnixFileMode)0x1FF);
    }

    [Fact]
    public async Task SetUp_HostPathOfTheWrongType_IsFailedMountWithUpstreamsMessage()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        var file = node.Outside("a-file");
        await File.WriteAllTextAsync(file, "x");
        var pod = await CreatePodAsync(ns, s =>
        {
            s.Volumes.Add(new V1Volume { Name = "wrong", HostPath = new V1HostPathVolumeSource { Path = file, Type = "Directory" } });
            s.Volumes.Add(new V1Volume { Name = "block", HostPath = new V1HostPathVolumeSource { Path = "/dev/null", Type = "BlockDevice" } });
            s.Volumes.Add(new V1Volume { Name = "fine", EmptyDir = new V1EmptyDirVolumeSource() });
        });

        var error = await Assert.ThrowsAsync<PodConfigException>(() => node.Volumes.SetUpAsync(pod, CancellationToken.None));

        Assert.Equal("FailedMount", error.Reason);
        Assert.Contains($"MountVolume.SetUp failed for volume \"wrong\" : hostPath type check failed: {file} is not a directory", error.Message, StringComparison.Ordinal);
        Assert.Contains("MountVolume.SetUp failed for volume \"block\" : hostPath type check failed: /dev/null is not a block device", error.Message, StringComparison.Ordinal);
        // The other volumes are still prepared.
        Assert.True(Directory.Exists(node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.EmptyDirPlugin, "fine")));
    }

    [Fact]
    public async Task ConfigMapVolume_FilesAreLinksIntoData_AndAnUpdateSwapsThemAtomically()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "settings" },
            Data = new Dictionary<string, string> { ["app.conf"] = "color=blue", ["old-key"] = "gone soon" },
        }, ns);
        var pod = await CreatePodAsync(ns, s => s.Volumes.Add(new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "settings" } }));

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var dir = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.ConfigMapPlugin, "cfg");
        Assert.Equal("color=blue", Read(Path.Combine(dir, "app.conf")));
        Assert.Equal("..data/app.conf", new FileInfo(Path.Combine(dir, "app.conf")).LinkTarget);
        var firstData = new FileInfo(Path.Combine(dir, "..data")).LinkTarget!;
        Assert.Matches(@"^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\d{9}$", firstData);
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(Path.Combine(dir, firstData, "app.conf")));
        Assert.False(NodeScratch.IsMounted(dir));

        // Nothing changed: nothing is rewritten.
        await node.Volumes.RefreshAsync(pod, CancellationToken.None);
        Assert.Equal(firstData, new FileInfo(Path.Combine(dir, "..data")).LinkTarget);

        var configMap = await Api.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        configMap.Data = new Dictionary<string, string> { ["app.conf"] = "color=green", ["new-key"] = "hello" };
        await Api.CoreV1.ReplaceNamespacedConfigMapAsync(configMap, "settings", ns);
        await node.Volumes.RefreshAsync(pod, CancellationToken.None);

        var secondData = new FileInfo(Path.Combine(dir, "..data")).LinkTarget!;
        Assert.NotEqual(firstData, secondData);
        Assert.Equal("color=green", Read(Path.Combine(dir, "app.conf")));
        Assert.Equal("hello", Read(Path.Combine(dir, "new-key")));
        Assert.False(File.Exists(Path.Combine(dir, "old-key")));
        Assert.False(Directory.Exists(Path.Combine(dir, firstData)));
        Assert.Equal([secondData, "..data", "app.conf", "new-key"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ConfigMapVolume_Missing_IsFailedMount_OptionalIsEmpty_AndCreatingItLetsSetUpSucceed()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        var pod = await CreatePodAsync(ns, s =>
        {
            s.Volumes.Add(new V1Volume { Name = "required", ConfigMap = new V1ConfigMapVolumeSource { Name = "later" } });
            s.Volumes.Add(new V1Volume { Name = "maybe", ConfigMap = new V1ConfigMapVolumeSource { Name = "never", Optional = true } });
            s.Volumes.Add(new V1Volume { Name = "keys", Secret = new V1SecretVolumeSource { SecretName = "creds", Items = [new V1KeyToPath { Key = "absent", Path = "a" }] } });
        });
        await Api.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "creds" }, StringData = new Dictionary<string, string> { ["user"] = "u" } }, ns);

        var error = await Assert.ThrowsAsync<PodConfigException>(() => node.Volumes.SetUpAsync(pod, CancellationToken.None));
        Assert.Equal("FailedMount", error.Reason);
        Assert.Equal("MountVolume.SetUp failed for volume \"required\" : configmap \"later\" not found; " +
            "MountVolume.SetUp failed for volume \"keys\" : references non-existent secret key: absent", error.Message);
        var maybe = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.ConfigMapPlugin, "maybe");
        Assert.Equal(["..data"], Directory.EnumerateFileSystemEntries(maybe).Select(Path.GetFileName).Where(n => !n!.StartsWith("..2", StringComparison.Ordinal)));

        await Api.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "later" }, Data = new Dictionary<string, string> { ["k"] = "v" } }, ns);
        var secret = await Api.CoreV1.ReadNamespacedSecretAsync("creds", ns);
        secret.Data["absent"] = Encoding.UTF8.GetBytes("now here");
        await Api.CoreV1.ReplaceNamespacedSecretAsync(secret, "creds", ns);

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);
        Assert.Equal("v", Read(Path.Combine(node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.ConfigMapPlugin, "required"), "k")));
        Assert.Equal("now here", Read(Path.Combine(node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.SecretPlugin, "keys"), "a")));
        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Fact]
    public async Task SecretVolume_LivesOnTmpfs_WithItsDefaultModeAndPerItemModes()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "tls" },
            Data = new Dictionary<string, byte[]> { ["tls.key"] = [1, 2, 3], ["tls.crt"] = Encoding.UTF8.GetBytes("cert") },
        }, ns);
        var pod = await CreatePodAsync(ns, s => s.Volumes.Add(new V1Volume
        {
            Name = "tls",
            Secret = new V1SecretVolumeSource
            {
                SecretName = "tls",
                DefaultMode = 256,
                Items = [new V1KeyToPath { Key = "tls.key", Path = "private/key" }, new V1KeyToPath { Key = "tls.crt", Path = "cert.pem", Mode = 292 }],
            },
        }));

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var dir = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.SecretPlugin, "tls");
        Assert.Equal("tmpfs", NodeScratch.FileSystemAt(dir));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(dir, "private", "key")));
        Assert.Equal("..data/private", new FileInfo(Path.Combine(dir, "private")).LinkTarget);
        var data = Path.Combine(dir, new FileInfo(Path.Combine(dir, "..data")).LinkTarget!);
        Assert.Equal((UnixFileMode)256, File.GetUnixFileMode(Path.Combine(data, "private", "key")));
        Assert.Equal((UnixFileMode)292, File.GetUnixFileMode(Path.Combine(data, "cert.pem")));

        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.False(NodeScratch.IsMounted(dir));
    }

    [Fact]
    public async Task FsGroup_VolumeFilesAreGroupOwnedAndReadable_EmptyDirIsSetgid()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["key"] = "k" } }, ns);
        var pod = await CreatePodAsync(ns, s =>
        {
            s.SecurityContext = new V1PodSecurityContext { FsGroup = 4321 };
            s.Volumes.Add(new V1Volume { Name = "sec", Secret = new V1SecretVolumeSource { SecretName = "s", DefaultMode = 256 } });
            s.Volumes.Add(new V1Volume { Name = "shared", EmptyDir = new V1EmptyDirVolumeSource() });
        });

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var secretDir = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.SecretPlugin, "sec");
        var file = Path.Combine(secretDir, new FileInfo(Path.Combine(secretDir, "..data")).LinkTarget!, "key");
        Assert.Equal(4321, LinuxFiles.OwnerOf(file)!.Value.Gid);
        Assert.Equal((UnixFileMode)0x120, File.GetUnixFileMode(file));
        var shared = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.EmptyDirPlugin, "shared");
        Assert.Equal(4321, LinuxFiles.OwnerOf(shared)!.Value.Gid);
        Assert.True(File.GetUnixFileMode(shared).HasFlag(UnixFileMode.SetGroup));

        // Group access is part of the payload: a refresh with nothing changed writes nothing.
        var data = new FileInfo(Path.Combine(secretDir, "..data")).LinkTarget;
        await node.Volumes.RefreshAsync(pod, CancellationToken.None);
        Assert.Equal(data, new FileInfo(Path.Combine(secretDir, "..data")).LinkTarget);
        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Fact]
    public async Task DownwardApiVolume_LabelsNameAndLimits_RewrittenWhenLabelsChange()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        var pod = await CreatePodAsync(ns, s =>
        {
            s.Containers[0].Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi"), ["cpu"] = new("250m") } };
            s.Volumes.Add(new V1Volume
            {
                Name = "info",
                DownwardAPI = new V1DownwardAPIVolumeSource
                {
                    Items =
                    [
                        new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels" } },
                        new V1DownwardAPIVolumeFile { Path = "meta/name", FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } },
                        new V1DownwardAPIVolumeFile { Path = "mem", ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "c", Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } },
                        new V1DownwardAPIVolumeFile { Path = "cpu", ResourceFieldRef = new V1ResourceFieldSelector { ContainerName = "c", Resource = "limits.cpu", Divisor = new ResourceQuantity("1m") } },
                    ],
                },
            });
        }, new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" });

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var dir = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.DownwardApiPlugin, "info");
        Assert.Equal("tmpfs", NodeScratch.FileSystemAt(dir));
        Assert.Equal("app=\"web\"\ntier=\"front\"", Read(Path.Combine(dir, "labels")));
        Assert.Equal(pod.Metadata.Name, Read(Path.Combine(dir, "meta", "name")));
        Assert.Equal("64", Read(Path.Combine(dir, "mem")));
        Assert.Equal("250", Read(Path.Combine(dir, "cpu")));

        pod.Metadata.Labels["tier"] = "back";
        pod = await Api.CoreV1.ReplaceNamespacedPodAsync(pod, pod.Metadata.Name, ns);
        await node.Volumes.RefreshAsync(pod, CancellationToken.None);
        Assert.Equal("app=\"web\"\ntier=\"back\"", Read(Path.Combine(dir, "labels")));
        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Fact]
    public async Task KubeApiAccessVolume_HoldsAPodBoundTokenThatAuthenticates_TheCaAndTheNamespace()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        var pod = await CreatePodAsync(ns, _ => { }, automount: true);
        var volume = Assert.Single(pod.Spec.Volumes);
        Assert.StartsWith("kube-api-access-", volume.Name, StringComparison.Ordinal);

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var dir = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.ProjectedPlugin, volume.Name);
        Assert.Equal("tmpfs", NodeScratch.FileSystemAt(dir));
        Assert.Equal(["ca.crt", "namespace", "token"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Where(n => !n!.StartsWith("..", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(cluster.CaPem, Read(Path.Combine(dir, "ca.crt")));
        Assert.Equal(ns, Read(Path.Combine(dir, "namespace")));
        var token = Read(Path.Combine(dir, "token"));
        var claims = JsonNode.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])))!;
        Assert.Equal("https://kubernetes.default.svc.cluster.local", claims["aud"]![0]!.ToString());
        Assert.Equal($"system:serviceaccount:{ns}:default", claims["sub"]!.ToString());
        Assert.Equal(pod.Metadata.Uid, claims["kubernetes.io"]!["pod"]!["uid"]!.ToString());
        Assert.Equal(3607, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());

        using var inCluster = cluster.ClientFor(token);
        var review = await inCluster.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
        Assert.Equal($"system:serviceaccount:{ns}:default", review.Status.UserInfo.Username);

        // The mount the admission added is read-only and lands on this directory.
        var mount = Assert.Single(node.Volumes.MountsFor(pod, pod.Spec.Containers[0]));
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount", mount.ContainerPath);
        Assert.Equal(dir, mount.HostPath);
        Assert.True(mount.Readonly);
        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Fact]
    public async Task ProjectedToken_WithAudienceAndExpiry_IsRotatedPastEightyPercentOfItsLifetime()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var node = new NodeScratch(cluster, clock);
        var ns = await cluster.CreateNamespaceAsync();
        var pod = await CreatePodAsync(ns, s => s.Volumes.Add(new V1Volume
        {
            Name = "vault-token",
            Projected = new V1ProjectedVolumeSource
            {
                Sources = [new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Audience = "vault", ExpirationSeconds = 600, Path = "vault/token" } }],
            },
        }));

        await node.Volumes.SetUpAsync(pod, CancellationToken.None);
        var file = Path.Combine(node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.ProjectedPlugin, "vault-token"), "vault", "token");
        var first = Read(file);
        var claims = JsonNode.Parse(Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(first.Split('.')[1])))!;
        Assert.Equal("vault", Assert.Single(claims["aud"]!.AsArray())!.ToString());
        Assert.Equal(600, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());

        clock.Advance(TimeSpan.FromSeconds(470));
        await node.Volumes.RefreshAsync(pod, CancellationToken.None);
        Assert.Equal(first, Read(file));

        clock.Advance(TimeSpan.FromSeconds(20));
        // Tokens carry whole seconds: make sure the new one is issued in a later second than the first.
        await Task.Delay(1100);
        await node.Volumes.RefreshAsync(pod, CancellationToken.None);
        Assert.NotEqual(first, Read(file));
        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Fact]
    public async Task ProjectedToken_ServiceAccountMissing_IsFailedMount()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        var pod = await CreatePodAsync(ns, s => s.Volumes.Add(new V1Volume
        {
            Name = "t",
            Projected = new V1ProjectedVolumeSource { Sources = [new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { Path = "token" } }] },
        }));
        await Api.CoreV1.DeleteNamespacedServiceAccountAsync("default", ns);

        var error = await Assert.ThrowsAsync<PodConfigException>(() => node.Volumes.SetUpAsync(pod, CancellationToken.None));
        Assert.Equal("MountVolume.SetUp failed for volume \"t\" : failed to fetch token: serviceaccounts \"default\" not found", error.Message);
    }

    [Fact]
    public async Task MountsFor_ManagedVolumesAreReadOnly_EmptyDirFollowsTheMount_UnknownVolumeIsAConfigError()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["k"] = "v" } }, ns);
        var pod = await CreatePodAsync(ns, s =>
        {
            s.Volumes.Add(new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cm" } });
            s.Volumes.Add(new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource() });
            s.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "cfg", MountPath = "/etc/app" });
            s.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "work", MountPath = "/work" });
            s.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "work", MountPath = "/ro", ReadOnlyProperty = true });
        });
        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var mounts = node.Volumes.MountsFor(pod, pod.Spec.Containers[0]);

        Assert.Equal(["/etc/app", "/work", "/ro"], mounts.Select(m => m.ContainerPath));
        Assert.Equal([true, false, true], mounts.Select(m => m.Readonly));
        Assert.Equal(node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.EmptyDirPlugin, "work"), mounts[1].HostPath);

        var stray = new V1Container { Name = "x", VolumeMounts = [new V1VolumeMount { Name = "nope", MountPath = "/n" }] };
        var error = Assert.Throws<PodConfigException>(() => node.Volumes.MountsFor(pod, stray));
        Assert.Equal("CreateContainerConfigError", error.Reason);
        Assert.Equal("cannot find volume \"nope\" to mount into container \"x\"", error.Message);
        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
    }

    [Fact]
    public async Task MountsFor_SubPath_IsABindMountOfExactlyThatPath_CreatedWhenMissing()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        await Api.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["nginx.conf"] = "worker_processes 1;" } }, ns);
        var pod = await CreatePodAsync(ns, s =>
        {
            s.Volumes.Add(new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "cm" } });
            s.Volumes.Add(new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource() });
            s.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "cfg", MountPath = "/etc/nginx/nginx.conf", SubPath = "nginx.conf" });
            s.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "work", MountPath = "/logs", SubPath = "logs/web" });
            s.Containers[0].VolumeMounts.Add(new V1VolumeMount { Name = "work", MountPath = "/per-pod", SubPathExpr = "pods/$(POD_NAME)" });
        });
        await node.Volumes.SetUpAsync(pod, CancellationToken.None);

        var mounts = node.Volumes.MountsFor(pod, pod.Spec.Containers[0], [new global::Stevedore.Cri.V1.KeyValue { Key = "POD_NAME", Value = pod.Metadata.Name }]);

        var subpaths = Path.Combine(node.Volumes.PodDirectory(pod.Metadata.Uid), "volume-subpaths");
        Assert.Equal(Path.Combine(subpaths, "cfg", "c", "0"), mounts[0].HostPath);
        Assert.True(NodeScratch.IsMounted(mounts[0].HostPath));
        Assert.Equal("worker_processes 1;", Read(mounts[0].HostPath));
        Assert.True(mounts[0].Readonly);
        var work = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.EmptyDirPlugin, "work");
        Assert.True(Directory.Exists(Path.Combine(work, "logs", "web")));
        await File.WriteAllTextAsync(Path.Combine(mounts[1].HostPath, "access.log"), "GET /");
        Assert.Equal("GET /", Read(Path.Combine(work, "logs", "web", "access.log")));
        Assert.True(Directory.Exists(Path.Combine(work, "pods", pod.Metadata.Name)));

        // A second call (a restarted container) replaces the pins instead of stacking them.
        mounts = node.Volumes.MountsFor(pod, pod.Spec.Containers[0], [new global::Stevedore.Cri.V1.KeyValue { Key = "POD_NAME", Value = pod.Metadata.Name }]);
        Assert.Single(MountTable.Current(), m => m.MountPoint == mounts[0].HostPath);

        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        Assert.Empty(MountTable.MountPointsUnder(MountTable.Current(), node.Volumes.PodDirectory(pod.Metadata.Uid)));
        Assert.False(Directory.Exists(node.Volumes.PodDirectory(pod.Metadata.Uid)));
    }

    [Fact]
    public async Task MountsFor_SubPathLeavingTheVolume_IsRefused()
    {
        using var node = new NodeScratch(cluster);
        var ns = await cluster.CreateNamespaceAsync();
        var secretFile = node.Outside("host-secret");
        await File.WriteAllTextAsync(secretFile, "host only");
        var pod = await CreatePodAsync(ns, s => s.Volumes.Add(new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource() }));
        await node.Volumes.SetUpAsync(pod, CancellationToken.None);
        var work = node.Volumes.VolumeDirectory(pod.Metadata.Uid, VolumeManager.EmptyDirPlugin, "work");
        // What a container could have left in a shared emptyDir for the next container to mount.
        File.CreateSymbolicLink(Path.Combine(work, "escape"), secretFile);
        File.CreateSymbolicLink(Path.Combine(work, "up"), "../../../../..");
        Directory.CreateDirectory(Path.Combine(work, "inside"));
        File.CreateSymbolicLink(Path.Combine(work, "fine"), "inside");

        var followed = new V1Container { Name = "c", VolumeMounts = [new V1VolumeMount { Name = "work", MountPath = "/m", SubPath = "fine" }] };
        var pin = Assert.Single(node.Volumes.MountsFor(pod, followed)).HostPath;
        await File.WriteAllTextAsync(Path.Combine(pin, "probe"), "x");
        Assert.True(File.Exists(Path.Combine(work, "inside", "probe")), "a symlink that stays inside the volume is followed");
        foreach (var subPath in new[] { "escape", "up", "up/etc", "fine/../escape" })
        {
            var container = new V1Container { Name = "c", VolumeMounts = [new V1VolumeMount { Name = "work", MountPath = "/m", SubPath = subPath }] };
            var error = Assert.Throws<PodConfigException>(() => node.Volumes.MountsFor(pod, container));
            Assert.Equal("CreateContainerConfigError", error.Reason);
            Assert.True(error.Message is "failed to prepare subPath for volumeMount \"work\" of container \"c\"" or "unable to provision SubPath `fine/../escape`: must not contain '..'", error.Message);
        }

        var missing = new V1Container { Name = "c", VolumeMounts = [new V1VolumeMount { Name = "work", MountPath = "/m", SubPathExpr = "$(NOPE)" }] };
        Assert.Equal("missing value for NOPE", Assert.Throws<PodConfigException>(() => node.Volumes.MountsFor(pod, missing, [])).Message);
        Assert.Equal("host only", Read(secretFile));

        await node.Volumes.TearDownAsync(pod.Metadata.Uid, CancellationToken.None);
        // The symlink went with the pod; what it pointed at did not.
        Assert.Equal("host only", Read(secretFile));
    }
}
