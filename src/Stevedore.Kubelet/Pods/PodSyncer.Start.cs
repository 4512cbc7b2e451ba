using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using k8s.Models;
using Stevedore.Client.Events;
using Stevedore.Cri.V1;
using Stevedore.Kubelet.Volumes;

namespace Stevedore.Kubelet.Pods;

/// <summary>Creating sandboxes, pulling images and starting containers, with upstream's reasons and events.</summary>
internal sealed partial class PodSyncer
{
    public const string ErrImagePull = "ErrImagePull";
    public const string ImagePullBackOff = "ImagePullBackOff";
    public const string ErrImageNeverPull = "ErrImageNeverPull";
    public const string InvalidImageName = "InvalidImageName";
    public const string CrashLoopBackOff = "CrashLoopBackOff";
    public const string CreateContainerConfigError = "CreateContainerConfigError";
    public const string CreateContainerError = "CreateContainerError";
    public const string RunContainerError = "RunContainerError";

    private PodSandboxConfig SandboxConfigFor(V1Pod pod, uint attempt) =>
        SandboxConfigs.For(pod, attempt, _options.PodLogsDir, DnsConfigs.For(pod, _options.ClusterDns, _options.ClusterDomain, ReadHostResolvConf()));

    /// <summary>Runs a new sandbox; null (with an event and a back-off) when the runtime refused.</summary>
    private async Task<(string Id, PodSandboxConfig Config)?> CreateSandboxAsync(V1Pod pod, PodState state, uint attempt, CancellationToken cancellationToken)
    {
        var uid = pod.Metadata.Uid;
        var key = uid + "/sandbox";
        var now = _time.GetUtcNow();
        if (_sandboxBackoff.IsInBackoff(key, state.SandboxFailedAt, now, out var remaining, out _))
        {
            state.RetryIn(remaining);
            return null;
        }

        var config = SandboxConfigFor(pod, attempt);
        Directory.CreateDirectory(config.LogDirectory);
        string id;
        _startups.Mark(uid, PodStartupStep.SandboxRequested);
        try
        {
            id = (await _cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config }, cancellationToken: cancellationToken).ConfigureAwait(false)).PodSandboxId;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            state.SandboxFailedAt = _time.GetUtcNow();
            _sandboxBackoff.Next(key, state.SandboxFailedAt);
            _sandboxBackoff.IsInBackoff(key, state.SandboxFailedAt, _time.GetUtcNow(), out var wait, out _);
            state.RetryIn(wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1));
            _events.Pod(pod, EventTypes.Warning, PodEvents.FailedCreatePodSandBox, "Failed to create pod sandbox: " + ex.Status.Detail);
            LogSandboxFailed(_logger, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name, ex.Status.Detail);
            return null;
        }

        _startups.Mark(uid, PodStartupStep.SandboxReady);
        _sandboxBackoff.Reset(key);
        LogSandboxCreated(_logger, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name, id, attempt);
        await WriteEtcHostsAsync(pod, id, cancellationToken).ConfigureAwait(false);
        _startups.Mark(uid, PodStartupStep.SandboxInspected);
        return (id, config);
    }

    /// <summary>Writes the pod's managed /etc/hosts once the sandbox has an address (not on the host network).</summary>
    private async Task WriteEtcHostsAsync(V1Pod pod, string sandboxId, CancellationToken cancellationToken)
    {
        if (pod.Spec?.HostNetwork == true)
        {
            return;
        }

        var status = (await _cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandboxId }, cancellationToken: cancellationToken).ConfigureAwait(false)).Status;
        var ips = status?.Network is { Ip.Length: > 0 } network
            ? new List<string> { network.Ip }.Concat(network.AdditionalIps.Select(a => a.Ip)).Where(ip => ip.Length > 0).ToList()
            : [];
        var path = EtcHostsPath(pod.Metadata.Uid);
        if (ips.Count == 0)
        {
            // Without an address the runtime's own /etc/hosts stays (as upstream does).
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, EtcHosts.Content(pod, ips, _options.ClusterDomain), cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private string EtcHostsPath(string uid) => Path.Combine(PodDir(uid), "etc-hosts");

    /// <summary>
    /// Starts one container: restart back-off, image, environment and mounts, create, start, postStart.
    /// True when it runs; otherwise its waiting reason is recorded for status and events.
    /// </summary>
    private async Task<bool> StartContainerAsync(V1Pod pod, PodState state, RuntimePod runtime, string sandboxId, PodSandboxConfig sandboxConfig, ContainerStart start, CancellationToken cancellationToken)
    {
        var spec = start.Spec;
        var name = spec.Name;
        var uid = pod.Metadata.Uid;
        var key = uid + "/" + name;
        var latest = runtime.Latest(name);
        var now = _time.GetUtcNow();
        if (latest is { IsFinished: true })
        {
            var failedAt = latest.FinishedAt ?? latest.CreatedAt;
            if (latest.StartedAt is { } startedAt && startedAt > DateTimeOffset.UnixEpoch && failedAt - startedAt >= _options.BackoffReset)
            {
                _crashBackoff.Reset(key);
            }

            if (_crashBackoff.IsInBackoff(key, failedAt, now, out var remaining, out var delay))
            {
                var podRef = $"{pod.Metadata.Name}_{SandboxConfigs.NamespaceOf(pod)}({uid})";
                state.SetWaiting(name, CrashLoopBackOff, $"back-off {Duration(delay)} restarting failed container={name} pod={podRef}");
                _events.Container(pod, name, EventTypes.Warning, PodEvents.BackOff, $"Back-off restarting failed container {name} in pod {podRef}");
                state.RetryIn(remaining);
                return false;
            }

            _crashBackoff.Next(key, failedAt);
        }

        var restartCount = latest is null ? 0 : latest.RestartCount + 1;
        if (!await EnsureImageAsync(pod, state, spec, sandboxConfig, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _startups.Mark(uid, PodStartupStep.ImageReady);

        ContainerConfig config;
        try
        {
            var env = await _environment.ResolveAsync(WithSandboxIps(pod, runtime), spec, cancellationToken).ConfigureAwait(false);
            _startups.Mark(uid, PodStartupStep.EnvironmentReady);
            config = ContainerConfigs.For(pod, spec, restartCount, env, MountsFor(pod, spec, restartCount, env));
        }
        catch (PodConfigException ex)
        {
            Fail(pod, state, name, ex.Reason is "FailedMount" ? CreateContainerConfigError : ex.Reason, ex.Message);
            state.RetryIn(TimeSpan.FromSeconds(2));
            return false;
        }

        string id;
        try
        {
            id = (await _cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig }, cancellationToken: cancellationToken).ConfigureAwait(false)).ContainerId;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            Fail(pod, state, name, CreateContainerError, ex.Status.Detail);
            state.RetryIn(TimeSpan.FromSeconds(2));
            return false;
        }

        _startups.Mark(uid, PodStartupStep.ContainerCreated);
        _events.Container(pod, name, EventTypes.Normal, PodEvents.Created, "Created container: " + name);
        try
        {
            await _cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            // The runtime keeps the container; reported as exited (StartError) so restartPolicy and back-off apply.
            _inspector.MarkStartFailed(id, _time.GetUtcNow(), ex.Status.Detail);
            Fail(pod, state, name, RunContainerError, ex.Status.Detail);
            LogStartFailed(_logger, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name, name, ex.Status.Detail);
            return true;
        }

        _startups.Mark(uid, PodStartupStep.ContainerStarted);
        state.ClearWaiting(name);
        _events.Container(pod, name, EventTypes.Normal, PodEvents.Started, "Started container " + name);
        // Probes and hooks dial the pod's IP, which the API's copy of a new pod does not hold yet.
        var withIps = WithSandboxIps(pod, runtime);
        _probes.AddContainer(withIps, spec, id, _time.GetUtcNow());
        state.Probed.Add(id);
        LogContainerStarted(_logger, SandboxConfigs.NamespaceOf(pod), pod.Metadata.Name, name, id);

        if (spec.Lifecycle?.PostStart is { } postStart)
        {
            var failure = await _hooks.RunAsync(withIps, spec, id, postStart, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                _events.Container(pod, name, EventTypes.Warning, PodEvents.FailedPostStartHook, failure);
                var running = (await _inspector.GetPodAsync(uid, cancellationToken).ConfigureAwait(false)).Containers.FirstOrDefault(c => c.Id == id);
                if (running is { State: RuntimeContainerState.Running })
                {
                    await KillContainerAsync(pod, state, spec, running, ContainerConfigs.GracePeriodSeconds(pod), "FailedPostStartHook", cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return true;
    }

    /// <summary>The container's CRI mounts: its volumes, the managed /etc/hosts and the termination message file.</summary>
    private List<Mount> MountsFor(V1Pod pod, V1Container spec, int restartCount, IReadOnlyList<KeyValue> environment)
    {
        // The environment expands subPathExpr, as upstream does.
        var mounts = _volumes.MountsFor(pod, spec, environment).ToList();
        var hosts = EtcHostsPath(pod.Metadata.Uid);
        if (pod.Spec?.HostNetwork != true && File.Exists(hosts) && mounts.All(m => m.ContainerPath != "/etc/hosts"))
        {
            mounts.Add(new Mount { ContainerPath = "/etc/hosts", HostPath = hosts });
        }

        var messagePath = spec.TerminationMessagePath ?? ContainerConfigs.DefaultTerminationMessagePath;
        if (messagePath.Length > 0 && mounts.All(m => m.ContainerPath != messagePath))
        {
            var file = Path.Combine(PodDir(pod.Metadata.Uid), "containers", spec.Name, restartCount.ToString(CultureInfo.InvariantCulture) + ".termination-log");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, []);
            // Any user of the container may write its termination message.
            File.SetUnixFileMode(file, (UnixFileMode)0x1B6);
            mounts.Add(new Mount { ContainerPath = messagePath, HostPath = file });
        }

        return mounts;
    }

    /// <summary>Makes the container's image present per imagePullPolicy; false (with the reason recorded) when it is not.</summary>
    private async Task<bool> EnsureImageAsync(V1Pod pod, PodState state, V1Container spec, PodSandboxConfig sandboxConfig, CancellationToken cancellationToken)
    {
        var image = spec.Image;
        var name = spec.Name;
        if (string.IsNullOrWhiteSpace(image))
        {
            Fail(pod, state, name, InvalidImageName, "container has no image");
            return false;
        }

        var policy = spec.ImagePullPolicy ?? DefaultPullPolicy(image);
        if (policy != "Always" && await IsImagePresentAsync(image, cancellationToken).ConfigureAwait(false))
        {
            _events.Container(pod, name, EventTypes.Normal, PodEvents.Pulled, $"Container image \"{image}\" already present on machine");
            return true;
        }

        if (policy == "Never")
        {
            var message = $"Container image \"{image}\" is not present with pull policy of Never";
            state.SetWaiting(name, ErrImageNeverPull, message);
            _events.Container(pod, name, EventTypes.Warning, PodEvents.ErrImageNeverPull, message);
            state.RetryIn(_options.BackoffInitial);
            return false;
        }

        var key = pod.Metadata.Uid + "/" + name + "/" + image;
        var now = _time.GetUtcNow();
        if (state.PullFailedAt.TryGetValue(key, out var failedAt) && _pullBackoff.IsInBackoff(key, failedAt, now, out var remaining, out _))
        {
            var message = $"Back-off pulling image \"{image}\"";
            state.SetWaiting(name, ImagePullBackOff, message);
            _events.Container(pod, name, EventTypes.Normal, PodEvents.BackOff, message);
            _events.Container(pod, name, EventTypes.Warning, PodEvents.Failed, "Error: " + ImagePullBackOff);
            state.RetryIn(remaining);
            return false;
        }

        _events.Container(pod, name, EventTypes.Normal, PodEvents.Pulling, $"Pulling image \"{image}\"");
        var watch = Stopwatch.StartNew();
        try
        {
            await _cri.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = image, UserSpecifiedImage = image }, SandboxConfig = sandboxConfig }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            var failedNow = _time.GetUtcNow();
            state.PullFailedAt[key] = failedNow;
            _pullBackoff.Next(key, failedNow);
            _pullBackoff.IsInBackoff(key, failedNow, failedNow, out var wait, out _);
            state.RetryIn(wait);
            state.SetWaiting(name, ErrImagePull, ex.Status.Detail);
            _events.Container(pod, name, EventTypes.Warning, PodEvents.Failed, $"Failed to pull image \"{image}\": {ex.Status.Detail}");
            _events.Container(pod, name, EventTypes.Warning, PodEvents.Failed, "Error: " + ErrImagePull);
            return false;
        }

        watch.Stop();
        state.PullFailedAt.Remove(key);
        _pullBackoff.Reset(key);
        var size = (await _cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } }, cancellationToken: cancellationToken).ConfigureAwait(false)).Image?.Size ?? 0;
        var took = watch.Elapsed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        _events.Container(pod, name, EventTypes.Normal, PodEvents.Pulled, $"Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes.");
        return true;
    }

    private async Task<bool> IsImagePresentAsync(string image, CancellationToken cancellationToken)
    {
        var response = await _cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Image is not null && !string.IsNullOrEmpty(response.Image.Id);
    }

    /// <summary>Upstream's default: Always for <c>:latest</c> or an untagged name, IfNotPresent otherwise.</summary>
    public static string DefaultPullPolicy(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        return colon < 0 || lastSegment[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    /// <summary>Records a failed start: waiting reason for status, a Failed event with upstream's "Error: …" message.</summary>
    private void Fail(V1Pod pod, PodState state, string container, string reason, string message)
    {
        state.SetWaiting(container, reason, message);
        _events.Container(pod, container, EventTypes.Warning, PodEvents.Failed, "Error: " + (reason is CreateContainerConfigError or CreateContainerError or RunContainerError ? message : reason));
    }

    /// <summary>Go's duration format as upstream's messages print it (10s, 1m20s, 5m0s).</summary>
    public static string Duration(TimeSpan duration)
    {
        var seconds = (long)Math.Round(duration.TotalSeconds);
        return seconds < 60 ? $"{seconds}s" : $"{seconds / 60}m{seconds % 60}s";
    }

    private ResolvConf ReadHostResolvConf()
    {
        try
        {
            return ResolvConf.Parse(File.ReadAllText(_options.HostResolvConf));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ResolvConf.Empty;
        }
    }
}
