using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Cri;

namespace Stevedore.Kubelet.Pods;

/// <summary>
/// Reads a pod's sandboxes and containers from CRI, by the pod UID label, into a <see cref="RuntimePod"/>.
/// Finished containers never change, so their statuses are fetched once; a container whose start
/// failed but which the runtime still calls "created" is reported as exited (128, StartError), as
/// containerd does, so restart decisions and back-off work the same on every runtime.
/// </summary>
internal sealed class RuntimeInspector(CriConnection cri)
{
    /// <summary>The termination message is read up to this size, as upstream.</summary>
    private const int MaxTerminationMessageBytes = 4096;

    private readonly ConcurrentDictionary<string, RuntimeContainer> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string State, RuntimeContainer Container)> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _sandboxIps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, string Message)> _failedStarts = new(StringComparer.Ordinal);

    /// <summary>The pod's sandboxes and containers, newest first.</summary>
    public async Task<RuntimePod> GetPodAsync(string uid, CancellationToken cancellationToken)
    {
        var sandboxFilter = new PodSandboxFilter();
        sandboxFilter.LabelSelector[CriLabels.PodUid] = uid;
        var containerFilter = new ContainerFilter();
        containerFilter.LabelSelector[CriLabels.PodUid] = uid;
        var sandboxesCall = cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = sandboxFilter }, cancellationToken: cancellationToken).ResponseAsync;
        var containersCall = cri.Runtime.ListContainersAsync(new ListContainersRequest { Filter = containerFilter }, cancellationToken: cancellationToken).ResponseAsync;
        var sandboxItems = (await sandboxesCall.ConfigureAwait(false)).Items;
        var containerItems = (await containersCall.ConfigureAwait(false)).Containers;

        var sandboxes = new List<RuntimeSandbox>();
        foreach (var item in sandboxItems.OrderByDescending(s => s.Metadata?.Attempt ?? 0).ThenByDescending(s => s.CreatedAt))
        {
            var ready = item.State == PodSandboxState.SandboxReady;
            var ips = ready ? await SandboxIpsAsync(item.Id, cancellationToken).ConfigureAwait(false) : [];
            sandboxes.Add(new RuntimeSandbox(item.Id, item.Metadata?.Attempt ?? 0, ready, FromNanoseconds(item.CreatedAt) ?? DateTimeOffset.UnixEpoch, ips));
        }

        var containers = new List<RuntimeContainer>();
        foreach (var item in containerItems)
        {
            var container = await ContainerAsync(item, cancellationToken).ConfigureAwait(false);
            if (container is not null)
            {
                containers.Add(container);
            }
        }

        // Newest first: by restart count, then creation time (equal counts happen after a sandbox change).
        containers.Sort((a, b) => b.CreatedAt != a.CreatedAt ? b.CreatedAt.CompareTo(a.CreatedAt) : b.RestartCount.CompareTo(a.RestartCount));
        return new RuntimePod(uid, sandboxes, containers);
    }

    /// <summary>Remembers that starting <paramref name="containerId"/> failed with the runtime's <paramref name="message"/>.</summary>
    public void MarkStartFailed(string containerId, DateTimeOffset at, string message) => _failedStarts[containerId] = (at, message);

    /// <summary>Drops what is cached about a removed container or sandbox.</summary>
    public void Forget(string id)
    {
        _finished.TryRemove(id, out _);
        _live.TryRemove(id, out _);
        _sandboxIps.TryRemove(id, out _);
        _failedStarts.TryRemove(id, out _);
    }

    private async Task<IReadOnlyList<string>> SandboxIpsAsync(string sandboxId, CancellationToken cancellationToken)
    {
        if (_sandboxIps.TryGetValue(sandboxId, out var cached))
        {
            return cached;
        }

        try
        {
            var status = (await cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId }, cancellationToken: cancellationToken).ConfigureAwait(false)).Status;
            var network = status?.Network;
            IReadOnlyList<string> ips = network is null || string.IsNullOrEmpty(network.Ip)
                ? []
                : [network.Ip, .. network.AdditionalIps.Select(a => a.Ip).Where(ip => !string.IsNullOrEmpty(ip))];
            // A sandbox keeps its addresses for life; an empty answer may still change (network set up late).
            if (ips.Count > 0)
            {
                _sandboxIps[sandboxId] = ips;
            }

            return ips;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return [];
        }
    }

    private async Task<RuntimeContainer?> ContainerAsync(Container item, CancellationToken cancellationToken)
    {
        if (_finished.TryGetValue(item.Id, out var finished))
        {
            return finished;
        }

        var stateKey = item.State.ToString();
        if (_live.TryGetValue(item.Id, out var live) && live.State == stateKey && item.State == ContainerState.ContainerRunning)
        {
            return live.Container;
        }

        Stevedore.Cri.V1.ContainerStatus status;
        try
        {
            status = (await cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = item.Id }, cancellationToken: cancellationToken).ConfigureAwait(false)).Status;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }

        if (status is null)
        {
            return null;
        }

        var container = Convert(status, item.PodSandboxId);
        if (container.State == RuntimeContainerState.Created && _failedStarts.TryGetValue(item.Id, out var failure))
        {
            container = container with
            {
                State = RuntimeContainerState.Exited,
                ExitCode = 128,
                Reason = "StartError",
                Message = failure.Message,
                StartedAt = DateTimeOffset.UnixEpoch,
                FinishedAt = failure.At,
            };
        }

        if (container.State == RuntimeContainerState.Exited)
        {
            container = WithTerminationMessage(container, status);
            _finished[item.Id] = container;
            _live.TryRemove(item.Id, out _);
        }
        else
        {
            _live[item.Id] = (stateKey, container);
        }

        return container;
    }

    private static RuntimeContainer Convert(Stevedore.Cri.V1.ContainerStatus status, string sandboxId)
    {
        var labels = status.Labels;
        var annotations = status.Annotations;
        return new RuntimeContainer
        {
            Id = status.Id,
            Name = labels.TryGetValue(CriLabels.ContainerName, out var name) ? name : status.Metadata?.Name ?? "",
            SandboxId = sandboxId,
            Attempt = status.Metadata?.Attempt ?? 0,
            State = status.State switch
            {
                ContainerState.ContainerCreated => RuntimeContainerState.Created,
                ContainerState.ContainerRunning => RuntimeContainerState.Running,
                ContainerState.ContainerExited => RuntimeContainerState.Exited,
                _ => RuntimeContainerState.Unknown,
            },
            CreatedAt = FromNanoseconds(status.CreatedAt) ?? DateTimeOffset.UnixEpoch,
            StartedAt = FromNanoseconds(status.StartedAt),
            FinishedAt = FromNanoseconds(status.FinishedAt),
            ExitCode = status.ExitCode,
            Reason = status.Reason ?? "",
            Message = status.Message ?? "",
            ImageRef = string.IsNullOrEmpty(status.ImageRef) ? status.ImageId ?? "" : status.ImageRef,
            RestartCount = annotations.TryGetValue(CriLabels.ContainerRestartCount, out var count) && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : (int)(status.Metadata?.Attempt ?? 0),
            Hash = annotations.TryGetValue(CriLabels.ContainerHash, out var hash) ? hash : null,
            TerminationGracePeriodSeconds = annotations.TryGetValue(CriLabels.PodTerminationGracePeriod, out var grace) && long.TryParse(grace, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? seconds
                : null,
        };
    }

    /// <summary>The termination message the container wrote to its terminationMessagePath (a file the kubelet mounted).</summary>
    private static RuntimeContainer WithTerminationMessage(RuntimeContainer container, Stevedore.Cri.V1.ContainerStatus status)
    {
        if (!status.Annotations.TryGetValue(CriLabels.TerminationMessagePath, out var path)
            || status.Mounts.FirstOrDefault(m => m.ContainerPath == path) is not { } mount)
        {
            return container;
        }

        try
        {
            using var file = File.OpenRead(mount.HostPath);
            var buffer = new byte[MaxTerminationMessageBytes];
            var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return read == 0 ? container : container with { Message = System.Text.Encoding.UTF8.GetString(buffer, 0, read) };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return container;
        }
    }

    /// <summary>CRI times are nanoseconds since the epoch; zero means unset.</summary>
    public static DateTimeOffset? FromNanoseconds(long nanoseconds) =>
        nanoseconds <= 0 ? null : DateTimeOffset.UnixEpoch.AddTicks(nanoseconds / 100);
}
