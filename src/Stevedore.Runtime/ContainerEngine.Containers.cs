using System.Security.Cryptography;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Images;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime;

/// <summary>Container lifecycle: create, start, wait, stop, remove, logs, stats, commit.</summary>
public sealed partial class ContainerEngine
{
    private static readonly string[] Adjectives = ["brave", "calm", "eager", "fond", "keen", "quiet", "swift", "tidy", "wise", "bold"];
    private static readonly string[] Nouns = ["otter", "heron", "lynx", "panda", "raven", "tapir", "yak", "gecko", "ibis", "koala"];

    private readonly Dictionary<string, Task<ContainerRecord>> _supervised = new();
    private readonly Lock _supervisedLock = new();

    /// <summary>All containers, with the state of any whose supervisor died brought up to date.</summary>
    public Task<IReadOnlyList<ContainerRecord>> ListContainersAsync(CancellationToken cancellationToken) =>
        ListContainersAsync(_ => true, cancellationToken);

    /// <summary>
    /// The containers <paramref name="match"/> selects (it sees the records as stored: IDs, names, labels),
    /// with the state of any whose supervisor died brought up to date. Only the selected ones are checked,
    /// so a lookup among many containers stays cheap.
    /// </summary>
    public async Task<IReadOnlyList<ContainerRecord>> ListContainersAsync(Func<ContainerRecord, bool> match, CancellationToken cancellationToken)
    {
        var result = new List<ContainerRecord>();
        foreach (var record in Containers.List())
        {
            if (match(record))
            {
                result.Add(await RefreshAsync(record, cancellationToken));
            }
        }

        return result;
    }

    /// <summary>A container by ID, ID prefix or name.</summary>
    public Task<ContainerRecord> InspectContainerAsync(string idOrName, CancellationToken cancellationToken) =>
        RefreshAsync(Containers.Find(idOrName), cancellationToken);

    /// <summary>Prepares a container: image layers unpacked, init layer written, state recorded. Nothing runs yet.</summary>
    public async Task<ContainerRecord> CreateAsync(ContainerOptions options, CancellationToken cancellationToken)
    {
        var image = await Images.ResolveAsync(options.Image, cancellationToken);
        var args = RuntimeSpecBuilder.ResolveArgs(options, image.Config.Config);
        await Snapshots.PrepareLayersAsync(image, cancellationToken);
        ValidateModes(options);
        RuntimeSpecBuilder.ResolveRlimits(options.Ulimits, HostLimits.Current());

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        ContainerRecord record;
        using (JsonFile.Lock(Containers.NamesLock))
        {
            var existing = Containers.List();
            var name = options.Name ?? GenerateName(existing);
            if (!NameIsValid(name))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid container name \"{name}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
            }

            if (existing.Any(c => c.Name == name))
            {
                throw new EngineException(EngineErrorKind.Conflict, $"the container name \"{name}\" is already in use by container {existing.First(c => c.Name == name).ShortId}");
            }

            var paths = Containers.PathsOf(id);
            Directory.CreateDirectory(paths.Dir);
            Directory.CreateDirectory(paths.Upper);
            Directory.CreateDirectory(paths.Work);
            Directory.CreateDirectory(paths.Rootfs);
            InitLayer.Write(paths.Init, options.Hostname ?? id[..12], options.Network == "host", options);
            record = new ContainerRecord
            {
                Id = id,
                Name = name,
                Image = image.Name,
                ImageId = image.ConfigDigest.ToString(),
                LayerChainIds = Snapshotter.ChainIds(image.DiffIds).Select(d => d.ToString()).ToList(),
                Args = args,
                Options = options,
                Created = Options.Time.GetUtcNow(),
                Status = ContainerStatus.Created,
            };
            Containers.Save(record);
        }

        return record;
    }

    /// <summary>
    /// Starts a created or exited container and returns once its process runs. With <paramref name="attach"/>
    /// the caller's streams are connected and supervision stays in this process; otherwise a configured
    /// shim supervises it (so it outlives this process), or this process does.
    /// </summary>
    public async Task<ContainerRecord> StartAsync(string idOrName, AttachOptions? attach, CancellationToken cancellationToken) =>
        (await StartCoreAsync(idOrName, attach, cancellationToken)).Running;

    private async Task<(ContainerRecord Running, Task<ContainerRecord>? Supervision)> StartCoreAsync(string idOrName, AttachOptions? attach, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status == ContainerStatus.Running)
        {
            throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is already running");
        }

        var paths = Containers.PathsOf(record.Id);
        var image = await Images.ResolveAsync(record.ImageId, cancellationToken).ConfigureAwait(false);
        var lowers = await Snapshots.PrepareLayersAsync(image, cancellationToken);
        Snapshotter.Unmount(paths.Rootfs);
        Snapshotter.MountOverlay([paths.Init, .. lowers], paths.Upper, paths.Work, paths.Rootfs);
        try
        {
            await WriteRuntimeSpecAsync(record, image, paths, cancellationToken);
            if (Directory.Exists(Path.Combine(Runc.StateRoot, record.Id)))
            {
                // Left over from a run whose supervisor died before cleaning up.
                await Runc.DeleteAsync(record.Id, cancellationToken);
            }
        }
        catch
        {
            Snapshotter.Unmount(paths.Rootfs);
            throw;
        }

        if (attach is null && Options.ShimCommand is { } shim)
        {
            return (await StartShimAsync(record, shim, paths, cancellationToken), null);
        }

        var started = new TaskCompletionSource<ContainerRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        var supervisor = new ContainerSupervisor(Runc, Containers, CgroupPathOf(record.Id), Options.Time);
        var run = Task.Run(() => supervisor.RunAsync(record.Id, attach ?? new AttachOptions(), started, CancellationToken.None), CancellationToken.None);
        lock (_supervisedLock)
        {
            _supervised[record.Id] = run;
        }

        _ = run.ContinueWith(
            t =>
            {
                started.TrySetException(t.Exception ?? new Exception("supervisor ended"));
                lock (_supervisedLock)
                {
                    // Finished: later waits read the record on disk.
                    _supervised.Remove(record.Id);
                }
            },
            TaskScheduler.Default);
        return (await started.Task.WaitAsync(cancellationToken), run);
    }

    /// <summary>Waits until the container has exited and its supervisor has recorded the result.</summary>
    public async Task<ContainerRecord> WaitAsync(string idOrName, CancellationToken cancellationToken)
    {
        Task<ContainerRecord>? run;
        lock (_supervisedLock)
        {
            _supervised.TryGetValue(idOrName, out run);
        }

        if (run is not null)
        {
            return await run.WaitAsync(cancellationToken);
        }

        var record = Containers.Find(idOrName);
        lock (_supervisedLock)
        {
            _supervised.TryGetValue(record.Id, out run);
        }

        if (run is not null)
        {
            return await run.WaitAsync(cancellationToken);
        }

        var dir = Containers.PathsOf(record.Id).Dir;
        while (true)
        {
            if (!Directory.Exists(dir))
            {
                // --rm removed it: the last known record is all there is.
                return record;
            }

            record = await RefreshAsync(Containers.Get(record.Id), cancellationToken);
            if (record.Status != ContainerStatus.Running)
            {
                return record;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Sends <paramref name="signal"/> (default SIGTERM), waits up to <paramref name="grace"/>, then kills.</summary>
    public async Task<ContainerRecord> StopAsync(string idOrName, TimeSpan grace, string? signal, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status != ContainerStatus.Running)
        {
            return record;
        }

        await Runc.KillAsync(record.Id, signal ?? "SIGTERM", all: false, cancellationToken);
        using var graceTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        graceTimeout.CancelAfter(grace);
        try
        {
            return await WaitAsync(record.Id, graceTimeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Runc.KillAsync(record.Id, "SIGKILL", all: true, cancellationToken);
            return await WaitAsync(record.Id, cancellationToken);
        }
    }

    /// <summary>Sends a signal to the container's main process.</summary>
    public async Task KillAsync(string idOrName, string signal, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status != ContainerStatus.Running)
        {
            throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is not running");
        }

        await Runc.KillAsync(record.Id, signal, all: false, cancellationToken);
    }

    /// <summary>Removes a container and its writable layer; a running one only with <paramref name="force"/>.</summary>
    public async Task RemoveAsync(string idOrName, bool force, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status == ContainerStatus.Running)
        {
            if (!force)
            {
                throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is running: stop it first or use --force");
            }

            await StopAsync(record.Id, TimeSpan.Zero, "SIGKILL", cancellationToken);
        }

        var paths = Containers.PathsOf(record.Id);
        await Runc.DeleteAsync(record.Id, cancellationToken);
        Snapshotter.Unmount(paths.Rootfs);
        Snapshotter.RemoveTree(paths.Dir);
        // Normally gone with its supervisor; left behind only if the supervisor was killed.
        var attachSocket = AttachServer.SocketPathOf(Runc.StateRoot, record.Id);
        if (File.Exists(attachSocket))
        {
            File.Delete(attachSocket);
        }
        lock (_supervisedLock)
        {
            _supervised.Remove(record.Id);
        }
    }

    /// <summary>Creates, starts and waits for a container (docker run without -d); removes it after when AutoRemove.</summary>
    public async Task<ContainerRecord> RunAsync(ContainerOptions options, AttachOptions attach, CancellationToken cancellationToken)
    {
        var record = await CreateAsync(options, cancellationToken);
        return await StartAndWaitAsync(record.Id, attach, cancellationToken);
    }

    /// <summary>Starts a container attached to the caller and waits for it (docker start -a).</summary>
    public async Task<ContainerRecord> StartAndWaitAsync(string idOrName, AttachOptions attach, CancellationToken cancellationToken)
    {
        var (_, supervision) = await StartCoreAsync(idOrName, attach, cancellationToken);

        // The supervisor's own result: with --rm the container may be gone from disk already.
        return await supervision!.WaitAsync(cancellationToken);
    }

    /// <summary>The container's log, whole lines, optionally only the last <paramref name="tail"/>.</summary>
    public IReadOnlyList<CriLogLine> Logs(string idOrName, int tail = -1) =>
        CriLogReader.ReadAll(LogPathOf(idOrName), tail);

    /// <summary>The path of the container's CRI log file.</summary>
    public string LogPathOf(string idOrName)
    {
        var record = Containers.Find(idOrName);
        return Containers.PathsOf(record.Id).LogOf(record.Options);
    }

    /// <summary>A usage sample from the container's cgroup.</summary>
    public async Task<ContainerStats> StatsAsync(string idOrName, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status != ContainerStatus.Running)
        {
            return new ContainerStats(record.Id, Options.Time.GetUtcNow(), 0, 0, record.Options.MemoryBytes, 0);
        }

        return new CgroupFiles(CgroupPathOf(record.Id)).Sample(record.Id, Options.Time.GetUtcNow());
    }

    /// <summary>
    /// Makes an image of the container's changes (docker commit): its image plus one layer holding exactly
    /// what the container's writable layer holds, never the init layer's files.
    /// </summary>
    public async Task<ResolvedImage> CommitAsync(string idOrName, string reference, CancellationToken cancellationToken)
    {
        var record = Containers.Find(idOrName);
        var baseImage = await Images.ResolveAsync(record.ImageId, cancellationToken);
        var createdBy = "stevedore engine commit " + record.Name + " (" + string.Join(' ', record.Args) + ")";
        return await new ImageCommitter(Images, Options.Time).CommitAsync(
            baseImage, Containers.PathsOf(record.Id).Upper, InitLayer.Files, ImageReference.Parse(reference), createdBy, cancellationToken);
    }

    /// <summary>Brings a record whose supervisor is gone up to date (its process cannot be waited for any more).</summary>
    private async Task<ContainerRecord> RefreshAsync(ContainerRecord record, CancellationToken cancellationToken)
    {
        if (record.Status != ContainerStatus.Running || ProcessAlive(record.SupervisorPid))
        {
            return record;
        }

        var state = await Runc.StateAsync(record.Id, cancellationToken);
        if (state is "running" or "created" or "paused")
        {
            return record;
        }

        var oom = new CgroupFiles(CgroupPathOf(record.Id)).OomKills() > 0;
        await Runc.DeleteAsync(record.Id, cancellationToken);
        var paths = Containers.PathsOf(record.Id);
        Snapshotter.Unmount(paths.Rootfs);
        return Containers.Update(record.Id, r =>
        {
            if (r.Status != ContainerStatus.Running)
            {
                return;
            }

            r.Status = ContainerStatus.Exited;
            r.ExitCode ??= 255;
            r.OomKilled = oom;
            r.Error = "the supervisor exited before the container; its exit code is unknown";
            r.FinishedAt = Options.Time.GetUtcNow();
        });
    }

    private static bool ProcessAlive(int pid) => pid > 0 && Directory.Exists("/proc/" + pid) && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private async Task WriteRuntimeSpecAsync(ContainerRecord record, ResolvedImage image, ContainerPaths paths, CancellationToken cancellationToken)
    {
        var options = record.Options;
        var (uid, gid, groups) = UserResolver.Resolve(
            options.User ?? image.Config.Config?.User,
            ReadOrEmpty(Path.Combine(paths.Rootfs, "etc/passwd")),
            ReadOrEmpty(Path.Combine(paths.Rootfs, "etc/group")));
        var hostname = options.Hostname ?? record.Id[..12];
        var namespaces = new Dictionary<string, string?>();
        await AddNamespaceAsync(namespaces, "network", options.Network, "none", cancellationToken);
        await AddNamespaceAsync(namespaces, "ipc", options.Ipc, "private", cancellationToken);
        await AddNamespaceAsync(namespaces, "pid", options.Pid, "private", cancellationToken);
        await AddNamespaceAsync(namespaces, "uts", options.Uts, "private", cancellationToken);
        var inputs = new RuntimeSpecBuilder.Inputs(
            record.Id,
            hostname,
            record.Args,
            RuntimeSpecBuilder.ResolveEnv(options, image.Config.Config, hostname),
            options.WorkingDir ?? (string.IsNullOrEmpty(image.Config.Config?.WorkingDir) ? "/" : image.Config.Config!.WorkingDir!),
            uid,
            gid,
            groups,
            CgroupPathOf(record.Id),
            namespaces,
            HostLimits.Current());
        var spec = RuntimeSpecBuilder.Build(options, inputs);

        await File.WriteAllTextAsync(paths.Config, spec.ToJsonString(JsonFile.Options), cancellationToken);
    }

    private async Task AddNamespaceAsync(Dictionary<string, string?> namespaces, string type, string mode, string privateName, CancellationToken cancellationToken)
    {
        if (mode == privateName)
        {
            return;
        }

        if (mode == "host")
        {
            namespaces[type] = null;
            return;
        }

        if (mode.StartsWith("ns:", StringComparison.Ordinal))
        {
            // A pinned namespace (e.g. /run/netns/cni-…) that outlives any process in it.
            var path = mode["ns:".Length..];
            if (!File.Exists(path))
            {
                throw new EngineException(EngineErrorKind.NotFound, $"cannot join the {type} namespace {path}: it does not exist");
            }

            namespaces[type] = path;
            return;
        }

        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            var other = await RefreshAsync(Containers.Find(mode["container:".Length..]), cancellationToken);
            if (other.Status != ContainerStatus.Running || other.Pid == 0)
            {
                throw new EngineException(EngineErrorKind.Conflict, $"cannot join the {type} namespace of container {other.Name}: it is not running");
            }

            var nsName = type == "network" ? "net" : type;
            namespaces[type] = $"/proc/{other.Pid}/ns/{nsName}";
            return;
        }

        throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid {type} mode \"{mode}\": expected {privateName}, host, container:<name|id> or ns:<path>");
    }

    private static void ValidateModes(ContainerOptions options)
    {
        foreach (var (type, mode, privateName) in new[] { ("network", options.Network, "none"), ("ipc", options.Ipc, "private"), ("pid", options.Pid, "private"), ("uts", options.Uts, "private") })
        {
            if (mode != privateName && mode != "host" && !mode.StartsWith("container:", StringComparison.Ordinal)
                && !(mode.StartsWith("ns:", StringComparison.Ordinal) && Path.IsPathRooted(mode["ns:".Length..])))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid {type} mode \"{mode}\": expected {privateName}, host, container:<name|id> or ns:<absolute path>");
            }
        }

        if (options.MemoryBytes is > 0 and < 6 * 1024 * 1024)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "minimum memory limit allowed is 6MB");
        }
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static bool NameIsValid(string name) =>
        name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static string GenerateName(IReadOnlyList<ContainerRecord> existing)
    {
        while (true)
        {
            var name = $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}_{Nouns[RandomNumberGenerator.GetInt32(Nouns.Length)]}_{RandomNumberGenerator.GetInt32(1000)}";
            if (existing.All(c => c.Name != name))
            {
                return name;
            }
        }
    }
}
