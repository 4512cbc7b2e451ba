using System.Reflection;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Stevedore.Cri.V1;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Cri.Streaming;
using Stevedore.Runtime.Native;
using EngineStatus = Stevedore.Runtime.Containers.ContainerStatus;

namespace Stevedore.Runtime.Cri;

/// <summary>
/// CRI RuntimeService over <see cref="ContainerEngine"/>. A sandbox is an engine record labelled as one;
/// its ID is that record's ID. Its network namespace is pinned (<c>/run/netns/cni-…</c>) and attached
/// through CNI (<see cref="CriPodNetwork"/>). Only a pod whose containers share one PID namespace
/// (<c>shareProcessNamespace</c>) needs a process to hold it: there the record is an infra container
/// running the pause image, and containers join its namespaces. Every other sandbox runs nothing (as
/// CRI-O's <c>drop_infra_ctr</c>): the record is never started, its IPC and UTS namespaces are pinned
/// next to the network one (<see cref="PinnedNamespace"/>), and containers join all three by path —
/// one shim and one <c>runc run</c> fewer per pod.
/// </summary>
public sealed partial class CriRuntimeService(ContainerEngine engine, CriPodNetwork network, StreamingServer streaming) : RuntimeService.RuntimeServiceBase
{
    /// <summary>The pause image every sandbox runs.</summary>
    public const string PauseImage = "registry.k8s.io/pause:3.9";

    private const string SandboxKind = "sandbox";
    private const string ContainerKind = "container";

    public override Task<VersionResponse> Version(VersionRequest request, ServerCallContext context) =>
        Task.FromResult(new VersionResponse
        {
            Version = "0.1.0",
            RuntimeName = "stevedore",
            RuntimeVersion = typeof(ContainerEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
            RuntimeApiVersion = "v1",
        });

    public override Task<StatusResponse> Status(StatusRequest request, ServerCallContext context)
    {
        var status = new RuntimeStatus();
        status.Conditions.Add(new RuntimeCondition { Type = "RuntimeReady", Status = true });
        status.Conditions.Add(network.Condition());
        return Task.FromResult(new StatusResponse { Status = status });
    }

    /// <summary>Accepted and otherwise ignored: the node agent writes the CNI configuration for its pod CIDR itself.</summary>
    public override Task<UpdateRuntimeConfigResponse> UpdateRuntimeConfig(UpdateRuntimeConfigRequest request, ServerCallContext context) =>
        Task.FromResult(new UpdateRuntimeConfigResponse());

    public override async Task<RunPodSandboxResponse> RunPodSandbox(RunPodSandboxRequest request, ServerCallContext context)
    {
        var config = request.Config ?? throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "config is required"));
        var metadata = config.Metadata ?? throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "config.metadata is required"));
        if (!string.IsNullOrEmpty(request.RuntimeHandler))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, $"unknown runtime handler \"{request.RuntimeHandler}\""));
        }

        var namespaces = config.Linux?.SecurityContext?.NamespaceOptions;
        var cri = new CriMetadata
        {
            Name = metadata.Name,
            Uid = metadata.Uid,
            Namespace = metadata.Namespace,
            Attempt = metadata.Attempt,
            Labels = new(config.Labels),
            Annotations = new(config.Annotations),
            LogPath = config.LogDirectory,
            Image = PauseImage,
            HostNetwork = namespaces?.Network == NamespaceMode.Node,
            HostIpc = namespaces?.Ipc == NamespaceMode.Node,
            HostPid = namespaces?.Pid == NamespaceMode.Node,
            // Absent options mean the proto default, POD: one PID namespace for the pod, held by a pause process.
            PinnedNamespaces = (namespaces?.Pid ?? NamespaceMode.Pod) != NamespaceMode.Pod,
        };
        var podNetwork = network.Enabled && !cri.HostNetwork;
        // Fails before anything exists when no network is configured yet.
        var cniNetwork = podNetwork ? network.CurrentNetwork() : null;
        var uuid = Guid.NewGuid();
        if (podNetwork || (cri.PinnedNamespaces && !cri.HostNetwork))
        {
            cri.NetnsPath = network.CreateNamespace(uuid);
            cri.PortMappings = podNetwork ? CriPodNetwork.PortMappingsOf(config) : [];
        }

        var options = new ContainerOptions
        {
            Image = PauseImage,
            Name = $"k8s_POD_{metadata.Name}_{metadata.Namespace}_{metadata.Uid}_{metadata.Attempt}",
            Hostname = string.IsNullOrEmpty(config.Hostname) || cri.HostNetwork ? null : config.Hostname,
            Network = cri.HostNetwork ? "host" : cri.NetnsPath.Length > 0 ? "ns:" + cri.NetnsPath : "none",
            Ipc = cri.HostIpc ? "host" : "private",
            Pid = cri.HostPid ? "host" : "private",
            Labels = EngineLabels(SandboxKind, null, cri),
            DnsServers = [.. config.DnsConfig?.Servers ?? []],
            DnsSearches = [.. config.DnsConfig?.Searches ?? []],
            DnsOptions = [.. config.DnsConfig?.Options ?? []],
        };
        ContainerRecord? record = null;
        try
        {
            record = await engine.CreateAsync(options, context.CancellationToken);
            // The pod's hostname: every container sets it again in the shared UTS namespace, so it must be one name.
            var hostname = options.Hostname ?? record.Id[..12];
            if (cri.PinnedNamespaces)
            {
                PinNamespaces(cri, uuid, hostname);
            }

            if (podNetwork)
            {
                // The CNI container ID is the sandbox ID, so plugin state (host-local, portmap chains) names the sandbox.
                await network.SetUpAsync(record.Id, cri, cniNetwork!, context.CancellationToken);
            }

            if (podNetwork || cri.PinnedNamespaces)
            {
                engine.Containers.Update(record.Id, r =>
                {
                    r.Options.Labels = EngineLabels(SandboxKind, null, cri);
                    r.Options.Hostname = cri.UtsPath.Length > 0 ? hostname : r.Options.Hostname;
                });
            }

            if (!cri.PinnedNamespaces)
            {
                await engine.StartAsync(record.Id, null, context.CancellationToken);
            }
        }
        catch
        {
            // Nothing of a sandbox that failed to start stays behind: attachment, container, namespaces.
            if (record is not null)
            {
                await TearDownQuietlyAsync(record.Id, cri);
                await engine.RemoveAsync(record.Id, force: true, CancellationToken.None);
            }

            try
            {
                RemoveNamespaces(cri);
            }
            catch (RpcException)
            {
                // The original failure is what the caller needs to see.
            }

            throw;
        }

        return new RunPodSandboxResponse { PodSandboxId = record.Id };
    }

    public override async Task<StopPodSandboxResponse> StopPodSandbox(StopPodSandboxRequest request, ServerCallContext context)
    {
        var sandbox = await FindAsync(request.PodSandboxId, SandboxKind, context.CancellationToken);
        if (sandbox is not null)
        {
            foreach (var member in await MembersAsync(sandbox.Id, context.CancellationToken))
            {
                await StopQuietlyAsync(member.Id, 0, context.CancellationToken);
            }

            if (SharedMetadataOf(sandbox).PinnedNamespaces)
            {
                // Nothing runs to stop; the namespaces stay pinned until RemovePodSandbox, as an exited pause container's record stays.
                engine.Containers.Update(sandbox.Id, r =>
                {
                    var cri = CriMetadata.From(r.Options.Labels)!;
                    cri.Stopped = true;
                    r.Options.Labels = EngineLabels(SandboxKind, null, cri);
                });
            }
            else
            {
                await StopQuietlyAsync(sandbox.Id, 10, context.CancellationToken);
            }

            await TearDownNetworkAsync(sandbox.Id, context.CancellationToken);
        }

        return new StopPodSandboxResponse();
    }

    public override async Task<RemovePodSandboxResponse> RemovePodSandbox(RemovePodSandboxRequest request, ServerCallContext context)
    {
        var sandbox = await FindAsync(request.PodSandboxId, SandboxKind, context.CancellationToken);
        if (sandbox is not null)
        {
            foreach (var member in await MembersAsync(sandbox.Id, context.CancellationToken))
            {
                await RemoveLogLinkAsync(member);
                await engine.RemoveAsync(member.Id, force: true, context.CancellationToken);
            }

            await TearDownNetworkAsync(sandbox.Id, context.CancellationToken);
            // The namespaces before the record: should an unmount fail, the record is still there for the kubelet's retry.
            RemoveNamespaces(CriMetadata.From(sandbox.Options.Labels)!);
            await engine.RemoveAsync(sandbox.Id, force: true, context.CancellationToken);
        }

        return new RemovePodSandboxResponse();
    }

    public override async Task<PodSandboxStatusResponse> PodSandboxStatus(PodSandboxStatusRequest request, ServerCallContext context)
    {
        var sandbox = await FindAsync(request.PodSandboxId, SandboxKind, context.CancellationToken)
            ?? throw NotFound("pod sandbox", request.PodSandboxId);
        var cri = CriMetadata.From(sandbox.Options.Labels)!;
        var status = new Stevedore.Cri.V1.PodSandboxStatus
        {
            Id = sandbox.Id,
            Metadata = SandboxMetadataOf(cri),
            State = SandboxStateOf(sandbox),
            CreatedAt = CriTime.ToNanoseconds(sandbox.Created),
            // Primary (IPv4) first; empty for host-network and loopback-only sandboxes, and after teardown.
            Network = NetworkStatusOf(cri),
            Linux = new LinuxPodSandboxStatus
            {
                Namespaces = new Namespace
                {
                    Options = new NamespaceOption
                    {
                        Network = cri.HostNetwork ? NamespaceMode.Node : NamespaceMode.Pod,
                        Ipc = cri.HostIpc ? NamespaceMode.Node : NamespaceMode.Pod,
                        Pid = cri.HostPid ? NamespaceMode.Node : NamespaceMode.Container,
                    },
                },
            },
        };
        status.Labels.Add(cri.Labels);
        status.Annotations.Add(cri.Annotations);
        var response = new PodSandboxStatusResponse { Status = status };
        if (request.Verbose)
        {
            response.Info.Add("info", System.Text.Json.JsonSerializer.Serialize(new
            {
                pid = sandbox.Pid,
                image = PauseImage,
                infraContainer = !cri.PinnedNamespaces,
                netNamespacePath = cri.NetnsPath,
                ipcNamespacePath = cri.IpcPath,
                utsNamespacePath = cri.UtsPath,
                cniResult = cri.CniResult,
            }));
        }

        return response;
    }

    public override async Task<ListPodSandboxResponse> ListPodSandbox(ListPodSandboxRequest request, ServerCallContext context)
    {
        var filter = request.Filter;
        var response = new ListPodSandboxResponse();
        var selected = await ListAsync(SandboxKind, context.CancellationToken,
            r => filter is null || (MatchesId(r.Id, filter.Id) && MatchesLabels(SharedMetadataOf(r).Labels, filter.LabelSelector)));
        foreach (var sandbox in selected)
        {
            var cri = SharedMetadataOf(sandbox);
            var state = SandboxStateOf(sandbox);
            if (filter?.State is not null && filter.State.State != state)
            {
                continue;
            }

            var item = new PodSandbox { Id = sandbox.Id, Metadata = SandboxMetadataOf(cri), State = state, CreatedAt = CriTime.ToNanoseconds(sandbox.Created) };
            item.Labels.Add(cri.Labels);
            item.Annotations.Add(cri.Annotations);
            response.Items.Add(item);
        }

        return response;
    }

    public override async Task<CreateContainerResponse> CreateContainer(CreateContainerRequest request, ServerCallContext context)
    {
        var sandbox = await FindAsync(request.PodSandboxId, SandboxKind, context.CancellationToken)
            ?? throw NotFound("pod sandbox", request.PodSandboxId);
        var sandboxCri = CriMetadata.From(sandbox.Options.Labels)!;
        if (sandboxCri.PinnedNamespaces && SandboxStateOf(sandbox) != PodSandboxState.SandboxReady)
        {
            // With a pause container, joining its stopped namespaces fails at start; the pinned ones would still be there.
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, $"pod sandbox {sandbox.Id} is not ready"));
        }

        var config = request.Config ?? throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "config is required"));
        var metadata = config.Metadata ?? throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "config.metadata is required"));
        var image = config.Image?.Image;
        if (string.IsNullOrEmpty(image))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "config.image is required"));
        }

        var logPath = string.IsNullOrEmpty(config.LogPath) || string.IsNullOrEmpty(sandboxCri.LogPath) ? "" : Path.Combine(sandboxCri.LogPath, config.LogPath);
        var cri = new CriMetadata
        {
            Name = metadata.Name,
            Attempt = metadata.Attempt,
            Uid = sandboxCri.Uid,
            Namespace = sandboxCri.Namespace,
            Labels = new(config.Labels),
            Annotations = new(config.Annotations),
            LogPath = logPath,
            Image = image,
        };
        var options = ContainerOptionsOf(config, sandbox.Id, sandboxCri);
        // The supervisor writes the log where kubelet asked for it, so that kubelet can rotate it
        // (rename, then ReopenContainerLog).
        options.LogPath = logPath.Length > 0 ? logPath : null;
        options.Name = $"k8s_{metadata.Name}_{sandboxCri.Name}_{sandboxCri.Namespace}_{sandboxCri.Uid}_{metadata.Attempt}";
        options.Labels = EngineLabels(ContainerKind, sandbox.Id, cri);
        // Each container has an init layer of its own (and, with a pause container, its own UTS namespace); hostname and DNS stay pod-wide.
        options.Hostname = sandbox.Options.Hostname;
        options.DnsServers = sandbox.Options.DnsServers;
        options.DnsSearches = sandbox.Options.DnsSearches;
        options.DnsOptions = sandbox.Options.DnsOptions;
        if (logPath.Length > 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        }

        var record = await engine.CreateAsync(options, context.CancellationToken);

        return new CreateContainerResponse { ContainerId = record.Id };
    }

    public override async Task<StartContainerResponse> StartContainer(StartContainerRequest request, ServerCallContext context)
    {
        var record = await FindAsync(request.ContainerId, ContainerKind, context.CancellationToken) ?? throw NotFound("container", request.ContainerId);
        await engine.StartAsync(record.Id, null, context.CancellationToken);
        return new StartContainerResponse();
    }

    public override async Task<StopContainerResponse> StopContainer(StopContainerRequest request, ServerCallContext context)
    {
        var record = await FindAsync(request.ContainerId, ContainerKind, context.CancellationToken);
        if (record is not null)
        {
            await StopQuietlyAsync(record.Id, request.Timeout, context.CancellationToken);
        }

        return new StopContainerResponse();
    }

    public override async Task<RemoveContainerResponse> RemoveContainer(RemoveContainerRequest request, ServerCallContext context)
    {
        var record = await FindAsync(request.ContainerId, ContainerKind, context.CancellationToken);
        if (record is not null)
        {
            await RemoveLogLinkAsync(record);
            await engine.RemoveAsync(record.Id, force: true, context.CancellationToken);
        }

        return new RemoveContainerResponse();
    }

    public override async Task<ReopenContainerLogResponse> ReopenContainerLog(ReopenContainerLogRequest request, ServerCallContext context)
    {
        var record = await FindAsync(request.ContainerId, ContainerKind, context.CancellationToken) ?? throw NotFound("container", request.ContainerId);
        await engine.ReopenLogAsync(record.Id, context.CancellationToken);
        return new ReopenContainerLogResponse();
    }

    public override async Task<ListContainersResponse> ListContainers(ListContainersRequest request, ServerCallContext context)
    {
        var filter = request.Filter;
        var response = new ListContainersResponse();
        var selected = await ListAsync(ContainerKind, context.CancellationToken, r => filter is null || Matches(r, filter.Id, filter.PodSandboxId, filter.LabelSelector));
        foreach (var record in selected)
        {
            var cri = SharedMetadataOf(record);
            var sandboxId = record.Options.Labels[CriMetadata.SandboxLabel];
            var state = StateOf(record);
            if (filter?.State is not null && filter.State.State != state)
            {
                continue;
            }

            var item = new Container
            {
                Id = record.Id,
                PodSandboxId = sandboxId,
                Metadata = new ContainerMetadata { Name = cri.Name, Attempt = cri.Attempt },
                Image = new ImageSpec { Image = cri.Image },
                ImageRef = record.ImageId,
                ImageId = record.ImageId,
                State = state,
                CreatedAt = CriTime.ToNanoseconds(record.Created),
            };
            item.Labels.Add(cri.Labels);
            item.Annotations.Add(cri.Annotations);
            response.Containers.Add(item);
        }

        return response;
    }

    public override async Task<ContainerStatusResponse> ContainerStatus(ContainerStatusRequest request, ServerCallContext context)
    {
        var record = await FindAsync(request.ContainerId, ContainerKind, context.CancellationToken) ?? throw NotFound("container", request.ContainerId);
        var cri = CriMetadata.From(record.Options.Labels)!;
        var status = new Stevedore.Cri.V1.ContainerStatus
        {
            Id = record.Id,
            Metadata = new ContainerMetadata { Name = cri.Name, Attempt = cri.Attempt },
            State = StateOf(record),
            CreatedAt = CriTime.ToNanoseconds(record.Created),
            StartedAt = CriTime.ToNanoseconds(record.StartedAt),
            FinishedAt = record.Status == EngineStatus.Exited ? CriTime.ToNanoseconds(record.FinishedAt) : 0,
            ExitCode = record.ExitCode ?? 0,
            Image = new ImageSpec { Image = cri.Image },
            ImageRef = record.ImageId,
            ImageId = record.ImageId,
            Reason = ReasonOf(record),
            Message = record.Error ?? "",
            LogPath = cri.LogPath,
        };
        status.Labels.Add(cri.Labels);
        status.Annotations.Add(cri.Annotations);
        foreach (var bind in record.Options.Binds)
        {
            var parts = bind.Split(':');
            status.Mounts.Add(new Mount { HostPath = parts[0], ContainerPath = parts[1], Readonly = parts.Length > 2 && parts[2] == "ro" });
        }

        var response = new ContainerStatusResponse { Status = status };
        if (request.Verbose)
        {
            response.Info.Add("info", $"{{\"pid\":{record.Pid}}}");
        }

        return response;
    }

    public override async Task<ExecSyncResponse> ExecSync(ExecSyncRequest request, ServerCallContext context)
    {
        var record = await FindAsync(request.ContainerId, ContainerKind, context.CancellationToken) ?? throw NotFound("container", request.ContainerId);
        if (record.Status != EngineStatus.Running)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, $"container {record.Id} is not running"));
        }

        var (exitCode, stdout, stderr) = await new ExecSyncRunner(engine.Runc).RunAsync(record.Id, [.. request.Cmd], TimeSpan.FromSeconds(request.Timeout), context.CancellationToken);
        return new ExecSyncResponse
        {
            Stdout = Google.Protobuf.ByteString.CopyFrom(stdout),
            Stderr = Google.Protobuf.ByteString.CopyFrom(stderr),
            ExitCode = exitCode,
        };
    }

    public override async Task<ContainerStatsResponse> ContainerStats(ContainerStatsRequest request, ServerCallContext context)
    {
        var record = await FindAsync(request.ContainerId, ContainerKind, context.CancellationToken) ?? throw NotFound("container", request.ContainerId);
        return new ContainerStatsResponse { Stats = await StatsOfAsync(record, context.CancellationToken) };
    }

    public override async Task<ListContainerStatsResponse> ListContainerStats(ListContainerStatsRequest request, ServerCallContext context)
    {
        var filter = request.Filter;
        var response = new ListContainerStatsResponse();
        var selected = await ListAsync(ContainerKind, context.CancellationToken, r => filter is null || Matches(r, filter.Id, filter.PodSandboxId, filter.LabelSelector));
        foreach (var record in selected)
        {
            if (record.Status != EngineStatus.Running)
            {
                continue;
            }

            response.Stats.Add(await StatsOfAsync(record, context.CancellationToken));
        }

        return response;
    }

    /// <summary>
    /// Translates a CRI container config into engine options joining the sandbox's namespaces: the pause
    /// container's (<c>container:&lt;sandbox&gt;</c>), or the pinned ones by path when there is none.
    /// </summary>
    public static ContainerOptions ContainerOptionsOf(ContainerConfig config, string sandboxId, CriMetadata sandbox)
    {
        var security = config.Linux?.SecurityContext;
        var resources = config.Linux?.Resources;
        // Absent options mean the proto defaults: POD for every namespace.
        var pidMode = security?.NamespaceOptions?.Pid ?? NamespaceMode.Pod;
        string? user = null;
        if (security?.RunAsUser is not null)
        {
            user = security.RunAsUser.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + (security.RunAsGroup is null ? "" : ":" + security.RunAsGroup.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (!string.IsNullOrEmpty(security?.RunAsUsername))
        {
            user = security.RunAsUsername;
        }

        return new ContainerOptions
        {
            Image = config.Image.Image,
            Entrypoint = config.Command.Count > 0 ? [.. config.Command] : null,
            Command = [.. config.Args],
            Env = [.. config.Envs.Select(e => e.Key + "=" + e.Value)],
            WorkingDir = string.IsNullOrEmpty(config.WorkingDir) ? null : config.WorkingDir,
            User = user,
            Tty = config.Tty,
            OpenStdin = config.Stdin,
            StdinOnce = config.StdinOnce,
            Network = sandbox.HostNetwork ? "host" : !sandbox.PinnedNamespaces ? "container:" + sandboxId : sandbox.NetnsPath.Length > 0 ? "ns:" + sandbox.NetnsPath : "none",
            Ipc = sandbox.HostIpc ? "host" : sandbox.PinnedNamespaces ? "ns:" + sandbox.IpcPath : "container:" + sandboxId,
            // Without a pause container only pinned namespaces are shared; the hostname alike (host network: as before, each its own).
            Uts = sandbox.UtsPath.Length > 0 ? "ns:" + sandbox.UtsPath : "private",
            Pid = pidMode switch
            {
                NamespaceMode.Node => "host",
                // A sandbox without a pause container has no pod PID namespace (it was not asked for one).
                NamespaceMode.Pod when sandbox.PinnedNamespaces => "private",
                NamespaceMode.Pod => "container:" + sandboxId,
                NamespaceMode.Target => "container:" + security!.NamespaceOptions.TargetId,
                _ => "private",
            },
            Binds = [.. config.Mounts.Select(m => m.HostPath + ":" + m.ContainerPath + (m.Readonly ? ":ro" : ""))],
            ReadOnlyRootfs = security?.ReadonlyRootfs ?? false,
            CapAdd = security?.Capabilities is null ? [] : [.. security.Capabilities.AddCapabilities],
            CapDrop = security?.Capabilities is null ? [] : [.. security.Capabilities.DropCapabilities],
            MemoryBytes = resources?.MemoryLimitInBytes ?? 0,
            CpuShares = resources?.CpuShares ?? 0,
            Cpus = resources is { CpuQuota: > 0, CpuPeriod: > 0 } ? (double)resources.CpuQuota / resources.CpuPeriod : 0,
        };
    }

    /// <summary>The CRI state of an engine container.</summary>
    public static ContainerState StateOf(ContainerRecord record) => record.Status switch
    {
        EngineStatus.Created => ContainerState.ContainerCreated,
        EngineStatus.Running => ContainerState.ContainerRunning,
        EngineStatus.Exited => ContainerState.ContainerExited,
        _ => ContainerState.ContainerUnknown,
    };

    /// <summary>Why a container is in its state, in the words kubelet expects.</summary>
    public static string ReasonOf(ContainerRecord record) => record switch
    {
        { Status: EngineStatus.Exited, OomKilled: true } => "OOMKilled",
        { Status: EngineStatus.Exited, ExitCode: 0 } => "Completed",
        { Status: EngineStatus.Exited } => "Error",
        _ => "",
    };

    /// <summary>Whether an ID matches a filter's ID (empty matches all; a prefix is enough, as crictl sends).</summary>
    public static bool MatchesId(string id, string filter) => string.IsNullOrEmpty(filter) || id.StartsWith(filter, StringComparison.Ordinal);

    /// <summary>Whether labels carry every pair of a selector.</summary>
    public static bool MatchesLabels(IReadOnlyDictionary<string, string> labels, IDictionary<string, string> selector) =>
        selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>
    /// READY while the pause container runs; without one, from RunPodSandbox until StopPodSandbox, as long as
    /// the pinned namespaces are there (a reboot empties /run).
    /// </summary>
    private static PodSandboxState SandboxStateOf(ContainerRecord sandbox)
    {
        var cri = SharedMetadataOf(sandbox);
        var ready = cri.PinnedNamespaces
            ? !cri.Stopped && new[] { cri.NetnsPath, cri.IpcPath, cri.UtsPath }.All(path => path.Length == 0 || PinnedNamespace.HoldsNamespace(path))
            : sandbox.Status == EngineStatus.Running;
        return ready ? PodSandboxState.SandboxReady : PodSandboxState.SandboxNotready;
    }

    /// <summary>Pins the IPC and UTS namespaces of a sandbox without a pause container (and brings up loopback in a namespace no CNI set up).</summary>
    private void PinNamespaces(CriMetadata cri, Guid uuid, string hostname)
    {
        var dir = network.Options.PodNamespaceDir;
        cri.IpcPath = cri.HostIpc ? "" : Path.Combine(dir, "ipc-" + uuid);
        cri.UtsPath = cri.HostNetwork ? "" : Path.Combine(dir, "uts-" + uuid);
        try
        {
            PinnedNamespace.Create(cri.IpcPath.Length > 0 ? cri.IpcPath : null, cri.UtsPath.Length > 0 ? cri.UtsPath : null, hostname);
            if (!network.Enabled && cri.NetnsPath.Length > 0)
            {
                PinnedNamespace.SetLoopbackUp(cri.NetnsPath);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The caller removes whatever of them exists.
            throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "cannot create the sandbox namespaces: " + ex.Message));
        }
    }

    /// <summary>Unmounts and deletes a sandbox's pinned namespaces (network, IPC, UTS); gone ones are fine.</summary>
    private static void RemoveNamespaces(CriMetadata cri)
    {
        foreach (var path in new[] { cri.IpcPath, cri.UtsPath })
        {
            try
            {
                PinnedNamespace.Remove(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, $"cannot remove the sandbox namespace {path}: {ex.Message}"));
            }
        }

        CriPodNetwork.RemoveNamespace(cri.NetnsPath);
    }

    /// <summary>The sandbox's addresses as CRI reports them: the first as <c>ip</c>, the others as <c>additional_ips</c>.</summary>
    public static PodSandboxNetworkStatus NetworkStatusOf(CriMetadata cri)
    {
        var status = new PodSandboxNetworkStatus { Ip = cri.PodIps.FirstOrDefault() ?? "" };
        status.AdditionalIps.Add(cri.PodIps.Skip(1).Select(ip => new PodIP { Ip = ip }));
        return status;
    }

    private static PodSandboxMetadata SandboxMetadataOf(CriMetadata cri) =>
        new() { Name = cri.Name, Uid = cri.Uid, Namespace = cri.Namespace, Attempt = cri.Attempt };

    private static Dictionary<string, string> EngineLabels(string kind, string? sandboxId, CriMetadata cri)
    {
        var labels = new Dictionary<string, string> { [CriMetadata.KindLabel] = kind, [CriMetadata.MetadataLabel] = cri.ToJson() };
        if (sandboxId is not null)
        {
            labels[CriMetadata.SandboxLabel] = sandboxId;
        }

        return labels;
    }

    private static RpcException NotFound(string what, string id) =>
        new(new Grpc.Core.Status(StatusCode.NotFound, $"{what} \"{id}\" not found"));

    /// <summary>
    /// The CRI objects of one kind that <paramref name="match"/> selects. Selecting before the engine checks
    /// each container's supervisor keeps a lookup (the kubelet asks per pod, many times a second) from
    /// costing as much as listing every container on the node.
    /// </summary>
    private Task<IReadOnlyList<ContainerRecord>> ListAsync(string kind, CancellationToken cancellationToken, Func<ContainerRecord, bool>? match = null) =>
        engine.ListContainersAsync(r => r.Options.Labels.TryGetValue(CriMetadata.KindLabel, out var k) && k == kind && (match is null || match(r)), cancellationToken);

    private Task<IReadOnlyList<ContainerRecord>> MembersAsync(string sandboxId, CancellationToken cancellationToken) =>
        ListAsync(ContainerKind, cancellationToken, r => r.Options.Labels[CriMetadata.SandboxLabel] == sandboxId);

    private static bool Matches(ContainerRecord record, string id, string sandboxId, IDictionary<string, string> labelSelector) =>
        MatchesId(record.Id, id) && MatchesId(record.Options.Labels[CriMetadata.SandboxLabel], sandboxId) && MatchesLabels(SharedMetadataOf(record).Labels, labelSelector);

    /// <summary>
    /// The CRI metadata of a record, parsed once per record instance (the engine hands out the same instance
    /// while the record is unchanged on disk). Shared: read it, never change it.
    /// </summary>
    private static CriMetadata SharedMetadataOf(ContainerRecord record) =>
        ParsedMetadata.GetValue(record, static r => CriMetadata.From(r.Options.Labels)!);

    private static readonly ConditionalWeakTable<ContainerRecord, CriMetadata> ParsedMetadata = new();

    /// <summary>A CRI object of the given kind by ID or unique ID prefix; null when there is none.</summary>
    private async Task<ContainerRecord?> FindAsync(string id, string kind, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, "an ID is required"));
        }

        var matches = await ListAsync(kind, cancellationToken, r => r.Id.StartsWith(id, StringComparison.Ordinal));
        return matches.Count switch
        {
            0 => null,
            1 => matches[0],
            _ => throw new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, $"ID prefix \"{id}\" is ambiguous")),
        };
    }

    /// <summary>
    /// Stops a container: SIGTERM and <paramref name="timeoutSeconds"/> of grace, or SIGKILL at once for
    /// zero (CRI's meaning). A container that ends while being killed is stopped, not an error.
    /// </summary>
    private async Task StopQuietlyAsync(string id, long timeoutSeconds, CancellationToken cancellationToken)
    {
        // After SIGKILL the engine waits this long before its own kill of every process in the cgroup.
        var (grace, signal) = timeoutSeconds <= 0 ? (TimeSpan.FromSeconds(5), "SIGKILL") : (TimeSpan.FromSeconds(timeoutSeconds), (string?)null);
        try
        {
            await engine.StopAsync(id, grace, signal, cancellationToken);
        }
        catch (EngineException)
        {
            if ((await engine.InspectContainerAsync(id, cancellationToken)).Status == EngineStatus.Running)
            {
                throw;
            }
        }
    }

    /// <summary>CNI DEL for a sandbox still attached; the metadata on disk then says it is detached, so it runs once.</summary>
    private async Task TearDownNetworkAsync(string sandboxId, CancellationToken cancellationToken)
    {
        // Read again: the caller may just have changed the record (a stopped sandbox without a pause container).
        var sandbox = engine.Containers.Get(sandboxId);
        var cri = CriMetadata.From(sandbox.Options.Labels)!;
        if (cri.CniConfig.Length == 0)
        {
            return;
        }

        await network.TearDownAsync(sandbox.Id, cri, cancellationToken);
        engine.Containers.Update(sandbox.Id, r => r.Options.Labels = EngineLabels(SandboxKind, null, cri));
    }

    private async Task TearDownQuietlyAsync(string sandboxId, CriMetadata cri)
    {
        try
        {
            await network.TearDownAsync(sandboxId, cri, CancellationToken.None);
        }
        catch (RpcException)
        {
            // Removing the namespace next takes the pod's end of every veth with it.
        }
    }

    /// <summary>Containers made before the engine wrote CRI logs in place had a link there to the engine's own file.</summary>
    private static Task RemoveLogLinkAsync(ContainerRecord record)
    {
        var cri = CriMetadata.From(record.Options.Labels);
        if (cri is not null && cri.LogPath.Length > 0 && new FileInfo(cri.LogPath).LinkTarget is not null)
        {
            // The log outlives the container for kubelet; keep a copy of the content in place of the link.
            var target = new FileInfo(cri.LogPath).ResolveLinkTarget(returnFinalTarget: true);
            File.Delete(cri.LogPath);
            if (target is { Exists: true })
            {
                File.Copy(target.FullName, cri.LogPath);
            }
        }

        return Task.CompletedTask;
    }

    private async Task<Stevedore.Cri.V1.ContainerStats> StatsOfAsync(ContainerRecord record, CancellationToken cancellationToken)
    {
        var cri = CriMetadata.From(record.Options.Labels)!;
        var attributes = new ContainerAttributes { Id = record.Id, Metadata = new ContainerMetadata { Name = cri.Name, Attempt = cri.Attempt } };
        attributes.Labels.Add(cri.Labels);
        attributes.Annotations.Add(cri.Annotations);
        var stats = new Stevedore.Cri.V1.ContainerStats { Attributes = attributes };
        if (record.Status == EngineStatus.Running)
        {
            var sample = await engine.StatsAsync(record.Id, cancellationToken);
            var at = CriTime.ToNanoseconds(sample.Timestamp);
            stats.Cpu = new CpuUsage { Timestamp = at, UsageCoreNanoSeconds = new UInt64Value { Value = (ulong)Math.Max(0, sample.CpuUsageNanoseconds) } };
            stats.Memory = new MemoryUsage { Timestamp = at, WorkingSetBytes = new UInt64Value { Value = (ulong)Math.Max(0, sample.MemoryUsageBytes) }, UsageBytes = new UInt64Value { Value = (ulong)Math.Max(0, sample.MemoryUsageBytes) } };
        }

        return stats;
    }
}
