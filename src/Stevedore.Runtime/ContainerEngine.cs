using System.Diagnostics;
using System.Security.Cryptography;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Content;
using Stevedore.Runtime.Images;
using Stevedore.Runtime.Native;
using Stevedore.Runtime.Registry;
using Stevedore.Runtime.Snapshots;

namespace Stevedore.Runtime;

/// <summary>
/// The container engine: images in a content store, layers unpacked by the snapshotter, containers
/// run by runc with their state on disk. Several engine instances (processes) may share one data
/// directory; a new instance picks up the containers a previous one left.
/// </summary>
public sealed partial class ContainerEngine
{
    private static readonly string[] Adjectives = ["brave", "calm", "eager", "fond", "keen", "quiet", "swift", "tidy", "wise", "bold"];
    private static readonly string[] Nouns = ["otter", "heron", "lynx", "panda", "raven", "tapir", "yak", "gecko", "ibis", "koala"];

    private readonly Dictionary<string, Task<ContainerRecord>> _supervised = new();
    private readonly Lock _supervisedLock = new();

    /// <summary>Opens the engine over <see cref="EngineOptions.DataDir"/>, creating it when missing.</summary>
    public ContainerEngine(EngineOptions options)
    {
        Options = options;
        Directory.CreateDirectory(options.DataDir);
        Content = new ContentStore(Path.Combine(options.DataDir, "content"));
        Images = new ImageStore(Content, options.DataDir);
        Snapshots = new Snapshotter(Path.Combine(options.DataDir, "snapshots"), Content);
        Containers = new ContainerStore(Path.Combine(options.DataDir, "containers"));
        Runc = new RuncClient(options.Runtime, options.RuntimeRoot);
    }

    public EngineOptions Options { get; }
    public ContentStore Content { get; }
    public ImageStore Images { get; }
    public Snapshotter Snapshots { get; }
    public ContainerStore Containers { get; }
    public RuncClient Runc { get; }

    /// <summary>The cgroup path runc puts a container in.</summary>
    public string CgroupPathOf(string id) => Options.CgroupParent.TrimEnd('/') + "/" + id;

    // ----- images -----

    /// <summary>Imports an OCI layout (directory or tarball) or a docker save tarball.</summary>
    public Task<IReadOnlyList<ImageReference>> ImportAsync(string path, string? name, CancellationToken cancellationToken) =>
        new ImageImporter(Images).ImportAsync(path, name, cancellationToken);

    /// <summary>Exports images as an OCI layout tarball (with a docker-save manifest.json).</summary>
    public Task ExportAsync(IReadOnlyList<string> names, Stream output, CancellationToken cancellationToken) =>
        new ImageExporter(Images).ExportAsync(names, output, cancellationToken);

    /// <summary>Resolves an image by name or ID.</summary>
    public Task<ResolvedImage> InspectImageAsync(string nameOrId, CancellationToken cancellationToken) =>
        Images.ResolveAsync(nameOrId, cancellationToken);

    /// <summary>Gives an existing image another name.</summary>
    public async Task<ImageReference> TagAsync(string source, string target, CancellationToken cancellationToken)
    {
        var record = await Images.FindAsync(source, cancellationToken);
        var reference = ImageReference.Parse(target);
        Images.Tag(reference, record.Target);
        return reference;
    }

    /// <summary>
    /// Removes an image name (docker rmi) and collects what no name or container needs any more.
    /// An image a container uses cannot be removed unless <paramref name="force"/>.
    /// </summary>
    public async Task<string> RemoveImageAsync(string nameOrId, bool force, CancellationToken cancellationToken)
    {
        var record = await Images.FindAsync(nameOrId, cancellationToken);
        var resolved = await Images.ResolveAsync(record, cancellationToken);
        var sameTarget = Images.List().Count(r => r.Target.Digest == record.Target.Digest);
        if (!force && sameTarget == 1)
        {
            var user = Containers.List().FirstOrDefault(c => c.ImageId == resolved.ConfigDigest.ToString());
            if (user is not null)
            {
                throw new EngineException(EngineErrorKind.Conflict, $"image {nameOrId} is used by container {user.ShortId} ({user.Name}); remove it first or use --force");
            }
        }

        Images.Untag(record.Name);
        await CollectGarbageAsync(cancellationToken);
        return record.Name;
    }

    /// <summary>Deletes blobs no tag reaches and layer directories no image or container uses.</summary>
    public async Task<(int Blobs, int Layers)> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        var blobs = Content.Collect(await Images.ReachableAsync(cancellationToken));
        var inUse = new HashSet<Digest>();
        foreach (var record in Images.List())
        {
            try
            {
                var image = await Images.ResolveAsync(record, cancellationToken);
                inUse.UnionWith(Snapshotter.ChainIds(image.DiffIds));
            }
            catch (EngineException)
            {
                // An image whose blobs are gone (index for another platform): nothing to keep.
            }
        }

        foreach (var container in Containers.List())
        {
            inUse.UnionWith(container.LayerChainIds.Select(Digest.Parse));
        }

        foreach (var removed in Directory.EnumerateDirectories(Path.Combine(Options.DataDir, "containers"), ".removed-*"))
        {
            // --rm containers whose supervisor exited before their files were gone.
            Snapshotter.RemoveTree(removed);
        }

        return (blobs.Count, Snapshots.Collect(inUse));
    }

    /// <summary>Pulls an image from its registry (or a configured mirror) and tags it locally.</summary>
    public async Task<ResolvedImage> PullAsync(string reference, IProgress<BlobProgress>? progress, CancellationToken cancellationToken)
    {
        var parsed = ImageReference.Parse(reference);
        using var http = CreateHttpClient();
        await new RegistryClient(http, RegistryConfig.Load(Options.RegistryConfigPath)).PullAsync(parsed, Images, progress, cancellationToken);
        return await Images.ResolveAsync(parsed.ToString(), cancellationToken);
    }

    /// <summary>Pushes a local image to <paramref name="target"/> (its own name when null); returns the pushed digest.</summary>
    public async Task<Digest> PushAsync(string localName, string? target, IProgress<BlobProgress>? progress, CancellationToken cancellationToken, int chunkSize = 0)
    {
        var record = await Images.FindAsync(localName, cancellationToken);
        var parsed = ImageReference.Parse(target ?? record.Name);
        using var http = CreateHttpClient();
        var client = new RegistryClient(http, RegistryConfig.Load(Options.RegistryConfigPath)) { UploadChunkSize = chunkSize };
        return await client.PushAsync(record.Name, parsed, Images, progress, cancellationToken);
    }

    private static HttpClient CreateHttpClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromMinutes(30) };

    // ----- containers -----

    /// <summary>All containers, with the state of any whose supervisor died brought up to date.</summary>
    public async Task<IReadOnlyList<ContainerRecord>> ListContainersAsync(CancellationToken cancellationToken)
    {
        var result = new List<ContainerRecord>();
        foreach (var record in Containers.List())
        {
            result.Add(await RefreshAsync(record, cancellationToken));
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
            InitLayer.Write(paths.Init, options.Hostname ?? id[..12], options.Network == "host");
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
        CriLogReader.ReadAll(Containers.PathsOf(Containers.Find(idOrName).Id).Log, tail);

    /// <summary>The path of the container's CRI log file.</summary>
    public string LogPathOf(string idOrName) => Containers.PathsOf(Containers.Find(idOrName).Id).Log;

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

    /// <summary>Runs a process in a running container; returns its exit code. Output is copied to the given streams.</summary>
    public async Task<int> ExecAsync(string idOrName, ExecOptions exec, Stream? stdin, Stream? stdout, Stream? stderr, CancellationToken cancellationToken)
    {
        var record = await RefreshAsync(Containers.Find(idOrName), cancellationToken);
        if (record.Status != ContainerStatus.Running)
        {
            throw new EngineException(EngineErrorKind.Conflict, $"container {record.Name} is not running");
        }

        if (exec.Args.Count == 0)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "exec needs a command");
        }

        var args = new List<string> { "exec" };
        if (exec.Tty)
        {
            args.Add("--tty");
        }

        if (exec.WorkingDir is not null)
        {
            args.AddRange(["--cwd", exec.WorkingDir]);
        }

        if (exec.User is not null)
        {
            args.AddRange(["--user", exec.User]);
        }

        foreach (var env in exec.Env)
        {
            args.AddRange(["--env", env]);
        }

        args.Add(record.Id);
        args.AddRange(exec.Args);

        if (exec.InheritStdio)
        {
            using var inherited = RuncClient.StartProcess(Runc.StartInfo(args));
            await inherited.WaitForExitAsync(cancellationToken);
            return inherited.ExitCode;
        }

        if (exec.Tty)
        {
            return await ExecWithTerminalAsync(args, stdin, stdout, cancellationToken);
        }

        var info = Runc.StartInfo(args);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = RuncClient.StartProcess(info);
        var feed = Task.Run(async () =>
        {
            try
            {
                if (stdin is not null)
                {
                    await stdin.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
                }
            }
            catch (IOException)
            {
            }
            finally
            {
                process.StandardInput.Close();
            }
        }, cancellationToken);
        var outCopy = process.StandardOutput.BaseStream.CopyToAsync(stdout ?? Stream.Null, cancellationToken);
        var errCopy = process.StandardError.BaseStream.CopyToAsync(stderr ?? Stream.Null, cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await Task.WhenAll(outCopy, errCopy);
        await feed;
        return process.ExitCode;
    }

    private async Task<int> ExecWithTerminalAsync(List<string> args, Stream? stdin, Stream? stdout, CancellationToken cancellationToken)
    {
        // runc proxies a terminal only to a terminal of its own: hand it a pty slave as stdio and controlling terminal.
        using var pty = PseudoTerminal.Open();
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var a in new[] { "-c", PseudoTerminal.LaunchScript, pty.SlavePath, Runc.Binary }.Concat(Runc.GlobalArgs).Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        using var process = RuncClient.StartProcess(info);
        var output = pty.Output.CopyToAsync(stdout ?? Stream.Null, cancellationToken);
        if (stdin is not null)
        {
            _ = Task.Run(() => stdin.CopyToAsync(pty.Master, cancellationToken), cancellationToken);
        }

        await process.WaitForExitAsync(cancellationToken);
        pty.CloseSlave();
        await output.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
        return process.ExitCode;
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

    /// <summary>The entry point of a detached shim: supervises one container to completion in this process.</summary>
    public static async Task<int> RunShimAsync(EngineOptions options, string id, CancellationToken cancellationToken)
    {
        var engine = new ContainerEngine(options);
        var supervisor = new ContainerSupervisor(engine.Runc, engine.Containers, engine.CgroupPathOf(id), options.Time);
        var started = new TaskCompletionSource<ContainerRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = await supervisor.RunAsync(id, new AttachOptions(), started, cancellationToken);
        await supervisor.Cleanup;
        return result.ExitCode ?? 0;
    }

    private async Task<ContainerRecord> StartShimAsync(ContainerRecord record, IReadOnlyList<string> shim, ContainerPaths paths, CancellationToken cancellationToken)
    {
        // The shim runs in its own session with no stdio of ours, so it outlives this process.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("setsid \"$@\" </dev/null >>\"$0\" 2>&1 &");
        info.ArgumentList.Add(paths.ShimLog);
        foreach (var a in shim.Concat([Options.DataDir, Options.Runtime, Options.RuntimeRoot, Options.CgroupParent, record.Id]))
        {
            info.ArgumentList.Add(a);
        }

        Containers.Update(record.Id, r => r.Error = null);
        using (var launcher = RuncClient.StartProcess(info))
        {
            await launcher.WaitForExitAsync(cancellationToken);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var current = Containers.Get(record.Id);
            if (current.Status == ContainerStatus.Running || current.Status == ContainerStatus.Exited && current.FinishedAt > record.FinishedAt.GetValueOrDefault())
            {
                if (current.Error is not null)
                {
                    throw new EngineException(EngineErrorKind.Runtime, $"container {record.Name} failed to start: {current.Error}");
                }

                return current;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new EngineException(EngineErrorKind.Runtime, $"container {record.Name} did not start within 30s; see {paths.ShimLog}");
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>Parses the arguments a shim receives after its command prefix.</summary>
    public static (EngineOptions Options, string Id) ParseShimArgs(IReadOnlyList<string> args)
    {
        if (args.Count != 5)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "shim arguments: <data-dir> <runtime> <runtime-root> <cgroup-parent> <container-id>");
        }

        return (new EngineOptions { DataDir = args[0], Runtime = args[1], RuntimeRoot = args[2], CgroupParent = args[3] }, args[4]);
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

        throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid {type} mode \"{mode}\": expected {privateName}, host or container:<name|id>");
    }

    private static void ValidateModes(ContainerOptions options)
    {
        foreach (var (type, mode, privateName) in new[] { ("network", options.Network, "none"), ("ipc", options.Ipc, "private"), ("pid", options.Pid, "private") })
        {
            if (mode != privateName && mode != "host" && !mode.StartsWith("container:", StringComparison.Ordinal))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid {type} mode \"{mode}\": expected {privateName}, host or container:<name|id>");
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
