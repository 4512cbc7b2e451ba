// Engine benchmark: run-to-completion of `true` (create + start + wait + delete) on an unpacked image,
// side by side with `runc run` of an equivalent bundle and `podman run --rm`; 50 concurrent containers;
// pull of a ~100 MB image from a local registry vs `skopeo copy`.
//   dotnet run -c Release --project bench/engine -- [--iterations N] [--stevedore path/to/stevedore] [--skip-pull]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Stevedore.Runtime;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Snapshots;

var iterations = ArgValue("--iterations") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 20;
var stevedoreBinary = ArgValue("--stevedore");
var skipPull = args.Contains("--skip-pull");
var work = Directory.CreateTempSubdirectory("stevedore-bench-").FullName;
var results = new List<(string Name, double MedianMs, double P90Ms, string Note)>();
try
{
    var repo = FindRepoRoot();
    Run("bash", [Path.Combine(repo, "images", "build-test-images.sh"), Path.Combine(work, "images")]);
    var options = new EngineOptions { DataDir = Path.Combine(work, "data"), RuntimeRoot = Path.Combine(work, "runc-engine"), CgroupParent = "/stevedore-bench" };
    var engine = new ContainerEngine(options);
    await engine.ImportAsync(Path.Combine(work, "images", "busybox"), null, CancellationToken.None);
    var trueOptions = () => new ContainerOptions { Image = "busybox", Command = ["true"], AutoRemove = true };
    await engine.RunAsync(trueOptions(), new AttachOptions(), CancellationToken.None); // warm-up: unpacks the layer, JITs the path

    if (args.Contains("--phases"))
    {
        for (var i = 0; i < 10; i++)
        {
            var t0 = Stopwatch.StartNew();
            var created = await engine.CreateAsync(trueOptions(), CancellationToken.None);
            var t1 = t0.Elapsed.TotalMilliseconds;
            await engine.StartAsync(created.Id, new AttachOptions(), CancellationToken.None);
            var t2 = t0.Elapsed.TotalMilliseconds;
            await engine.WaitAsync(created.Id, CancellationToken.None);
            var t3 = t0.Elapsed.TotalMilliseconds;
            Console.Error.WriteLine($"create {t1:0.0} start {t2 - t1:0.0} wait {t3 - t2:0.0} total {t3:0.0}");
        }

        return 0;
    }

    // Peers run interleaved, round by round, so load from other processes hits all of them alike.
    var peers = new List<(string Name, Action Action, string Note)>();

    // 1. The engine, in process.
    peers.Add(("stevedore engine (library)", () => engine.RunAsync(trueOptions(), new AttachOptions(), CancellationToken.None).GetAwaiter().GetResult(), "create+start+wait+rm, overlay mount"));

    // 2. The CLI binary (includes .NET start-up).
    if (stevedoreBinary is not null)
    {
        peers.Add(("stevedore engine run --rm (CLI)", () => Run(stevedoreBinary, ["engine", "--data-dir", options.DataDir, "run", "--rm", "busybox", "true"]), "process start-up included"));
    }

    // 3. runc alone on an equivalent bundle: the engine's own config.json over a plain copy of the layer.
    var bundle = Path.Combine(work, "bundle");
    var image = await engine.InspectImageAsync("busybox", CancellationToken.None);
    var layer = engine.Snapshots.LayerPath(Snapshotter.ChainIds(image.DiffIds)[^1]);
    Run("cp", ["-a", layer, Path.Combine(bundle, "rootfs")], createDir: bundle);
    var spec = RuntimeSpecBuilder.Build(new ContainerOptions { Image = "busybox" }, new RuntimeSpecBuilder.Inputs(
        "bench", "bench", ["true"], ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "/", 0, 0, [], "/stevedore-bench/runc", new Dictionary<string, string?>(), HostLimits.Current()));
    await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), spec.ToJsonString());
    var runcRoot = Path.Combine(work, "runc-plain");
    var runcIndex = 0;
    peers.Add(("runc run (same config.json)", () => Run("runc", ["--root", runcRoot, "run", "--bundle", bundle, "bench" + runcIndex++]), "no image handling, no logs"));

    // 4. podman with runc, own storage so the host's is untouched.
    var podmanRoot = Path.Combine(work, "podman");
    // --pull never: the loaded image must be used as is; the bench never goes to the network.
    string[] podman = ["--root", Path.Combine(podmanRoot, "root"), "--runroot", Path.Combine(podmanRoot, "run"), "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs", "--events-backend", "none"];
    var podmanOk = TryRun("podman", [.. podman, "load", "-q", "-i", Path.Combine(work, "images", "busybox.docker.tar")]);
    if (podmanOk)
    {
        string[] podmanRun = [.. podman, "--runtime", "runc", "run", "--pull", "never", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "localhost/busybox:latest", "true"];
        Run("podman", podmanRun);
        peers.Add(("podman --runtime runc run --rm", () => Run("podman", podmanRun), "--network none"));
    }

    results.AddRange(MeasureInterleaved(peers, iterations));

    // 5. 50 containers at once.
    var sw = Stopwatch.StartNew();
    var runs = Enumerable.Range(0, 50).Select(i => Task.Run(() => engine.RunAsync(
        new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "sleep 0.2; echo ok"], AutoRemove = true }, new AttachOptions(), CancellationToken.None))).ToList();
    var failures = 0;
    foreach (var run in runs)
    {
        try
        {
            var record = await run;
            failures += record.ExitCode == 0 ? 0 : 1;
        }
        catch (Exception ex)
        {
            failures++;
            Console.Error.WriteLine("concurrent run failed: " + ex.Message);
        }
    }

    results.Add(("50 concurrent engine runs (sleep 0.2)", sw.Elapsed.TotalMilliseconds, sw.Elapsed.TotalMilliseconds, $"{50 - failures}/50 succeeded, wall time"));

    // 6. Pull of a ~100 MB image from a local registry vs skopeo copy.
    if (!skipPull)
    {
        await BenchPullAsync(engine, work, results);
    }

    var runcMedian = results.FirstOrDefault(r => r.Name.StartsWith("runc", StringComparison.Ordinal)).MedianMs;
    Console.WriteLine();
    Console.WriteLine($"{"benchmark",-42} {"median ms",10} {"p90 ms",10} {"x runc",8}  note");
    foreach (var (name, median, p90, note) in results)
    {
        var ratio = runcMedian > 0 && !name.StartsWith("50", StringComparison.Ordinal) && !name.StartsWith("pull", StringComparison.Ordinal) && !name.StartsWith("skopeo", StringComparison.Ordinal)
            ? (median / runcMedian).ToString("0.00", CultureInfo.InvariantCulture) : "";
        Console.WriteLine($"{name,-42} {median,10:0.0} {p90,10:0.0} {ratio,8}  {note}");
    }

    var engineMedian = results[0].MedianMs;
    var podmanMedian = results.FirstOrDefault(r => r.Name.StartsWith("podman", StringComparison.Ordinal)).MedianMs;
    if (podmanMedian > 0)
    {
        Console.WriteLine($"\nengine vs runc: {engineMedian / runcMedian:0.00}x (goal <= 1.5x); podman vs engine: {podmanMedian / engineMedian:0.0}x slower (goal >= 5x)");
    }
}
finally
{
    foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(work, StringComparison.Ordinal)).Reverse())
    {
        TryRun("umount", ["-l", mount]);
    }

    Snapshotter.RemoveTree(work);
    foreach (var controller in Directory.GetDirectories("/sys/fs/cgroup"))
    {
        // The CLI peer uses the default parent "/stevedore"; it is removed only when empty.
        foreach (var parent in new[] { "stevedore-bench", "stevedore" })
        {
            var dir = Path.Combine(controller, parent);
            if (Directory.Exists(dir))
            {
                foreach (var child in parent == "stevedore-bench" ? Directory.GetDirectories(dir) : [])
                {
                    TryDelete(child);
                }

                TryDelete(dir);
            }
        }
    }
}

return 0;

static async Task BenchPullAsync(ContainerEngine engine, string work, List<(string, double, double, string)> results)
{
    int port;
    using (var probe = new TcpListener(IPAddress.Loopback, 0))
    {
        probe.Start();
        port = ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    var registryDir = Path.Combine(work, "registry");
    Directory.CreateDirectory(registryDir);
    var config = Path.Combine(registryDir, "config.yml");
    await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {registryDir}/storage\nhttp:\n  addr: 127.0.0.1:{port}\n");
    using var registry = Process.Start(new ProcessStartInfo("docker-registry", ["serve", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
    registry.BeginErrorReadLine();
    registry.BeginOutputReadLine();
    try
    {
        using (var http = new HttpClient())
        {
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/v2/")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(25);
            }
        }

        // ~100 MB of incompressible data in one layer on top of busybox.
        var big = await engine.RunAsync(new ContainerOptions { Image = "busybox", Command = ["sh", "-c", "head -c 100000000 /dev/urandom > /big"] }, new AttachOptions(), CancellationToken.None);
        var name = $"127.0.0.1:{port}/bench/big:v1";
        await engine.CommitAsync(big.Id, name, CancellationToken.None);
        await engine.RemoveAsync(big.Id, force: true, CancellationToken.None);
        await engine.PushAsync(name, null, null, CancellationToken.None);

        var pullTimes = new List<double>();
        var skopeoTimes = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var fresh = new ContainerEngine(new EngineOptions { DataDir = Path.Combine(work, "pull-" + i), RuntimeRoot = Path.Combine(work, "runc-pull") });
            var sw = Stopwatch.StartNew();
            await fresh.PullAsync(name, null, CancellationToken.None);
            pullTimes.Add(sw.Elapsed.TotalMilliseconds);

            sw.Restart();
            var ok = TryRun("skopeo", ["copy", "--quiet", "--src-tls-verify=false", $"docker://{name}", $"oci:{Path.Combine(work, "skopeo-" + i)}:v1"]);
            if (ok)
            {
                skopeoTimes.Add(sw.Elapsed.TotalMilliseconds);
            }
        }

        results.Add(("pull ~100 MB image (engine)", Median(pullTimes), pullTimes.Max(), "fresh data dir each time, 3 runs"));
        if (skopeoTimes.Count > 0)
        {
            results.Add(("skopeo copy to oci: dir", Median(skopeoTimes), skopeoTimes.Max(), "3 runs"));
        }
    }
    finally
    {
        registry.Kill(entireProcessTree: true);
        await registry.WaitForExitAsync();
    }
}

static List<(string, double, double, string)> MeasureInterleaved(List<(string Name, Action Action, string Note)> peers, int rounds)
{
    var times = peers.Select(_ => new List<double>()).ToList();
    for (var round = 0; round < rounds; round++)
    {
        for (var p = 0; p < peers.Count; p++)
        {
            var sw = Stopwatch.StartNew();
            peers[p].Action();
            times[p].Add(sw.Elapsed.TotalMilliseconds);
        }
    }

    return peers.Select((peer, p) =>
    {
        var sorted = times[p].Order().ToList();
        Console.Error.WriteLine($"{peer.Name}: median {Median(sorted):0.0} ms");
        return (peer.Name, Median(sorted), sorted[(int)Math.Ceiling(sorted.Count * 0.9) - 1], peer.Note);
    }).ToList();
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static void Run(string file, string[] arguments, string? createDir = null)
{
    if (createDir is not null)
    {
        Directory.CreateDirectory(createDir);
    }

    if (!TryRun(file, arguments))
    {
        throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed");
    }
}

static bool TryRun(string file, string[] arguments)
{
    try
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"{file} exited {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return process.ExitCode == 0;
    }
    catch (System.ComponentModel.Win32Exception ex)
    {
        Console.Error.WriteLine($"{file}: {ex.Message}");
        return false;
    }
}

static void TryDelete(string dir)
{
    try
    {
        Directory.Delete(dir);
    }
    catch (IOException)
    {
    }
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "images", "build-test-images.sh")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("run from inside the repository");
}

string? ArgValue(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
