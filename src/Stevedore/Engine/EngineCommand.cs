using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using Stevedore.Runtime;
using Stevedore.Runtime.Containers;
using Stevedore.Runtime.Images;
using Stevedore.Runtime.Registry;

namespace Stevedore.Engine;

/// <summary>
/// <c>stevedore engine ...</c>: a docker-like command line over the local container engine.
/// Errors print as one line (<c>Error: ...</c>) with exit code 125, as docker does; <c>run</c> without
/// <c>-d</c> exits with the container's exit code.
/// </summary>
public static class EngineCommand
{
    private const int ErrorExitCode = 125;

    /// <summary>Builds the <c>engine</c> command with all its verbs.</summary>
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Engine data directory", Recursive = true, DefaultValueFactory = _ => EngineOptions.DefaultDataDir };
        var engine = new Command("engine", "Docker-like commands over the local container engine (images, run, ps, logs, exec, commit, push)");
        engine.Options.Add(dataDir);

        engine.Subcommands.Add(Images(dataDir));
        engine.Subcommands.Add(Pull(dataDir));
        engine.Subcommands.Add(Push(dataDir));
        engine.Subcommands.Add(Import(dataDir));
        engine.Subcommands.Add(Export(dataDir));
        engine.Subcommands.Add(Tag(dataDir));
        engine.Subcommands.Add(Rmi(dataDir));
        engine.Subcommands.Add(Run(dataDir, "run", "Create and run a container: run [-d] [--rm] [-i] [-t] [-e K=V] [-m SIZE] [--cpus N] [--name N] [-v SRC:DST[:ro]] [--network none|host|container:X] IMAGE [COMMAND...]"));
        engine.Subcommands.Add(Run(dataDir, "create", "Create a container without starting it (same flags as run)"));
        engine.Subcommands.Add(Start(dataDir));
        engine.Subcommands.Add(Stop(dataDir));
        engine.Subcommands.Add(Rm(dataDir));
        engine.Subcommands.Add(Ps(dataDir));
        engine.Subcommands.Add(Logs(dataDir));
        engine.Subcommands.Add(Exec(dataDir));
        engine.Subcommands.Add(Commit(dataDir));
        engine.Subcommands.Add(Inspect(dataDir));
        engine.Subcommands.Add(Stats(dataDir));
        engine.Subcommands.Add(Shim());
        engine.Subcommands.Add(Cri(dataDir));
        return engine;
    }

    private static ContainerEngine Open(ParseResult parse, Option<string> dataDir) => new(new EngineOptions
    {
        DataDir = parse.GetValue(dataDir) ?? EngineOptions.DefaultDataDir,
        ShimCommand = ShimCommand(),
    });

    /// <summary>The native (AOT) shim's file name; <c>dotnet publish src/Stevedore</c> puts it beside the binary.</summary>
    internal const string NativeShimName = "stevedore-shim";

    /// <summary>
    /// The command the engine starts per container: the native shim beside this binary when it is there
    /// (a published build: no JIT start per container), else this binary re-invoked as <c>engine shim</c>
    /// (the apphost directly, or <c>dotnet stevedore.dll</c>), as in <c>dotnet build</c> outputs.
    /// </summary>
    internal static IReadOnlyList<string> ShimCommand()
    {
        var nativeShim = Path.Combine(AppContext.BaseDirectory, NativeShimName);
        if (File.Exists(nativeShim))
        {
            return [nativeShim];
        }

        var process = Environment.ProcessPath ?? "stevedore";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, typeof(EngineCommand).Assembly.Location, "engine", "shim"]
            : [process, "engine", "shim"];
    }

    /// <summary>Runs a verb, turning engine errors into one readable line.</summary>
    private static void Handle(Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (EngineException ex)
            {
                await Console.Error.WriteLineAsync("Error: " + ex.Message);
                return ErrorExitCode;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or HttpRequestException)
            {
                await Console.Error.WriteLineAsync("Error: " + ex.Message);
                return ErrorExitCode;
            }
        });

    /// <summary>The raw tokens after <paramref name="verb"/>, minus the engine's own --data-dir.</summary>
    private static List<string> RawAfterVerb(ParseResult parse, string verb, Option<string> dataDir)
    {
        var tokens = parse.Tokens;
        var start = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.Command && tokens[i].Value == verb)
            {
                start = i + 1;
                break;
            }
        }

        var result = new List<string>();
        for (var i = start; i >= 0 && i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.Option && dataDir.Name == tokens[i].Value)
            {
                i++;
                continue;
            }

            result.Add(tokens[i].Value);
        }

        return result;
    }

    private static Command Images(Option<string> dataDir)
    {
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show image IDs" };
        var command = new Command("images", "List images") { quiet };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var rows = new List<string[]>();
            foreach (var record in engine.Images.List())
            {
                var image = await engine.Images.ResolveAsync(record, ct);
                var reference = ImageReference.Parse(record.Name);
                var size = image.Manifest.Layers.Sum(l => l.Size) + image.Manifest.Config.Size;
                rows.Add([ShortRepository(reference), reference.Tag ?? "<none>", image.ShortId, Ago(record.Created), HumanSize(size)]);
            }

            if (parse.GetValue(quiet))
            {
                foreach (var id in rows.Select(r => r[2]).Distinct())
                {
                    Console.WriteLine(id);
                }

                return 0;
            }

            PrintTable(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"], rows);
            return 0;
        });
        return command;
    }

    private static Command Pull(Option<string> dataDir)
    {
        var name = new Argument<string>("name") { Description = "Image reference" };
        var command = new Command("pull", "Pull an image from a registry") { name };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var reference = ImageReference.Parse(parse.GetValue(name)!);
            Console.WriteLine($"Pulling {reference}");
            var image = await engine.PullAsync(reference.ToString(), new ConsoleProgress(), ct);
            Console.WriteLine($"Digest: {image.TargetDigest}");
            Console.WriteLine($"Status: downloaded {reference}");
            return 0;
        });
        return command;
    }

    private static Command Push(Option<string> dataDir)
    {
        var name = new Argument<string>("name") { Description = "Local image" };
        var target = new Argument<string?>("target") { Description = "Destination reference (defaults to the name)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("push", "Push an image to a registry") { name, target };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var digest = await engine.PushAsync(parse.GetValue(name)!, parse.GetValue(target), new ConsoleProgress(), ct);
            Console.WriteLine($"pushed: digest: {digest}");
            return 0;
        });
        return command;
    }

    private static Command Import(Option<string> dataDir)
    {
        var path = new Argument<string>("path") { Description = "OCI layout directory or tarball, or a docker save tarball" };
        var nameOption = new Option<string?>("--name") { Description = "Name for images the archive does not name" };
        var command = new Command("import", "Import images from an OCI layout or docker save archive") { path, nameOption };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            foreach (var reference in await engine.ImportAsync(parse.GetValue(path)!, parse.GetValue(nameOption), ct))
            {
                Console.WriteLine("Loaded image: " + reference);
            }

            return 0;
        });
        return command;
    }

    private static Command Export(Option<string> dataDir)
    {
        var names = new Argument<string[]>("names") { Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Tar file to write", Required = true };
        var command = new Command("export", "Export images as an OCI layout tarball (docker load compatible)") { names, output };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var file = parse.GetValue(output)!;
            var temp = file + ".partial";
            await using (var stream = File.Create(temp))
            {
                await engine.ExportAsync(parse.GetValue(names)!, stream, ct);
            }

            File.Move(temp, file, overwrite: true);
            return 0;
        });
        return command;
    }

    private static Command Tag(Option<string> dataDir)
    {
        var source = new Argument<string>("source");
        var target = new Argument<string>("target");
        var command = new Command("tag", "Give an image another name") { source, target };
        Handle(command, async (parse, ct) =>
        {
            await Open(parse, dataDir).TagAsync(parse.GetValue(source)!, parse.GetValue(target)!, ct);
            return 0;
        });
        return command;
    }

    private static Command Rmi(Option<string> dataDir)
    {
        var names = new Argument<string[]>("names") { Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Remove even if a container uses it" };
        var command = new Command("rmi", "Remove images") { names, force };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            foreach (var name in parse.GetValue(names)!)
            {
                Console.WriteLine("Untagged: " + await engine.RemoveImageAsync(name, parse.GetValue(force), ct));
            }

            return 0;
        });
        return command;
    }

    private static Command Run(Option<string> dataDir, string verb, string description)
    {
        var rest = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Description = "[flags] IMAGE [COMMAND...]" };
        var command = new Command(verb, description) { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        Handle(command, async (parse, ct) =>
        {
            var args = RunArguments.Parse(RawAfterVerb(parse, verb, dataDir));
            var options = args.ToContainerOptions();
            var engine = Open(parse, dataDir);
            var record = await engine.CreateAsync(options, ct);
            if (verb == "create")
            {
                Console.WriteLine(record.Id);
                return 0;
            }

            if (args.Has("--detach"))
            {
                await engine.StartAsync(record.Id, null, ct);
                Console.WriteLine(record.Id);
                return 0;
            }

            return await RunAttachedAsync(engine, record, options, ct);
        });
        return command;
    }

    private static async Task<int> RunAttachedAsync(ContainerEngine engine, ContainerRecord record, ContainerOptions options, CancellationToken ct)
    {
        var terminal = options.Tty && !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var attach = terminal
            ? new AttachOptions { InheritStdio = true }
            : new AttachOptions
            {
                Stdout = Console.OpenStandardOutput(),
                Stderr = Console.OpenStandardError(),
                Stdin = options.OpenStdin ? Console.OpenStandardInput() : null,
            };
        var finished = await engine.StartAndWaitAsync(record.Id, attach, ct);
        if (finished.OomKilled)
        {
            await Console.Error.WriteLineAsync($"container {finished.Name} was killed: out of memory (limit {HumanSize(options.MemoryBytes)})");
        }

        return finished.ExitCode ?? ErrorExitCode;
    }

    private static Command Start(Option<string> dataDir)
    {
        var names = new Argument<string[]>("containers") { Arity = ArgumentArity.OneOrMore };
        var attachOption = new Option<bool>("--attach", "-a") { Description = "Attach to output and wait" };
        var command = new Command("start", "Start stopped containers") { names, attachOption };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            foreach (var name in parse.GetValue(names)!)
            {
                if (parse.GetValue(attachOption))
                {
                    var record = await engine.InspectContainerAsync(name, ct);
                    return await RunAttachedAsync(engine, record, record.Options, ct);
                }

                await engine.StartAsync(name, null, ct);
                Console.WriteLine(name);
            }

            return 0;
        });
        return command;
    }

    private static Command Cri(Option<string> dataDir)
    {
        var socket = new Option<string>("--socket") { Description = "The CRI unix socket", DefaultValueFactory = _ => Stevedore.Runtime.Cri.CriServer.DefaultSocketPath };
        var cniConfDir = new Option<string>("--cni-conf-dir")
        {
            Description = "Where the pod network's CNI configuration is read (the first .conflist/.conf/.json); \"none\" gives sandboxes loopback only",
            DefaultValueFactory = _ => Stevedore.Runtime.Cri.CriNetworkOptions.DefaultConfDir,
        };
        var cniBinDir = new Option<string[]>("--cni-bin-dir")
        {
            Description = "Where CNI plugin binaries are looked up (repeatable)",
            DefaultValueFactory = _ => [.. Stevedore.Network.Cni.CniInvoker.DefaultPluginDirs],
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("cri", "Serve the Kubernetes CRI v1 (RuntimeService, ImageService) until interrupted") { socket, cniConfDir, cniBinDir };
        Handle(command, async (parse, ct) =>
        {
            var confDir = parse.GetValue(cniConfDir)!;
            var network = new Stevedore.Runtime.Cri.CriNetworkOptions
            {
                ConfDir = confDir == "none" ? null : confDir,
                PluginDirs = parse.GetValue(cniBinDir)!,
            };
            await using var server = await Stevedore.Runtime.Cri.CriServer.StartAsync(Open(parse, dataDir), parse.GetValue(socket)!, network, ct);
            await Console.Error.WriteLineAsync("CRI listening on " + server.SocketPath);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }

    private static Command Stop(Option<string> dataDir)
    {
        var names = new Argument<string[]>("containers") { Arity = ArgumentArity.OneOrMore };
        var time = new Option<int>("--time", "-t") { Description = "Seconds to wait before killing", DefaultValueFactory = _ => 10 };
        var signal = new Option<string?>("--signal", "-s") { Description = "Signal to send first (default SIGTERM)" };
        var command = new Command("stop", "Stop running containers") { names, time, signal };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            foreach (var name in parse.GetValue(names)!)
            {
                await engine.StopAsync(name, TimeSpan.FromSeconds(parse.GetValue(time)), parse.GetValue(signal), ct);
                Console.WriteLine(name);
            }

            return 0;
        });
        return command;
    }

    private static Command Rm(Option<string> dataDir)
    {
        var names = new Argument<string[]>("containers") { Arity = ArgumentArity.OneOrMore };
        var force = new Option<bool>("--force", "-f") { Description = "Kill a running container first" };
        var command = new Command("rm", "Remove containers") { names, force };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            foreach (var name in parse.GetValue(names)!)
            {
                await engine.RemoveAsync(name, parse.GetValue(force), ct);
                Console.WriteLine(name);
            }

            return 0;
        });
        return command;
    }

    private static Command Ps(Option<string> dataDir)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Show all containers, not only running ones" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only show IDs" };
        var command = new Command("ps", "List containers") { all, quiet };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var containers = (await engine.ListContainersAsync(ct))
                .Where(c => parse.GetValue(all) || c.Status == ContainerStatus.Running)
                .OrderByDescending(c => c.Created)
                .ToList();
            if (parse.GetValue(quiet))
            {
                containers.ForEach(c => Console.WriteLine(c.ShortId));
                return 0;
            }

            PrintTable(["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"], containers.Select(c => new[]
            {
                c.ShortId,
                ShortRepositoryWithTag(c.Image),
                Truncate("\"" + string.Join(' ', c.Args) + "\"", 22),
                Ago(c.Created),
                Status(c),
                c.Name,
            }));
            return 0;
        });
        return command;
    }

    private static Command Logs(Option<string> dataDir)
    {
        var name = new Argument<string>("container");
        var tail = new Option<int>("--tail", "-n") { Description = "Number of lines from the end", DefaultValueFactory = _ => -1 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the container exits" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Show timestamps" };
        var command = new Command("logs", "Show a container's logs") { name, tail, follow, timestamps };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var container = parse.GetValue(name)!;
            var shown = 0;
            void Print(IEnumerable<CriLogLine> lines)
            {
                foreach (var line in lines)
                {
                    var text = (parse.GetValue(timestamps) ? CriLogLine.FormatTime(line.Time) + " " : "") + line.Content;
                    (line.Stream == "stderr" ? Console.Error : Console.Out).WriteLine(text);
                    shown++;
                }
            }

            var first = engine.Logs(container, parse.GetValue(tail));
            Print(first);
            var total = engine.Logs(container).Count;
            while (parse.GetValue(follow))
            {
                var record = await engine.InspectContainerAsync(container, ct);
                var lines = engine.Logs(container);
                Print(lines.Skip(total));
                total = lines.Count;
                if (record.Status != ContainerStatus.Running)
                {
                    break;
                }

                await Task.Delay(200, ct);
            }

            return 0;
        });
        return command;
    }

    private static Command Exec(Option<string> dataDir)
    {
        var rest = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Description = "[-i] [-t] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND..." };
        var command = new Command("exec", "Run a command in a running container") { rest };
        command.TreatUnmatchedTokensAsErrors = false;
        Handle(command, async (parse, ct) =>
        {
            var args = RunArguments.Parse(RawAfterVerb(parse, "exec", dataDir));
            if (args.Command.Count == 0)
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, "exec needs a container and a command");
            }

            var engine = Open(parse, dataDir);
            var tty = args.Has("--tty");
            var terminal = tty && !Console.IsInputRedirected && !Console.IsOutputRedirected;
            var exec = new ExecOptions
            {
                Args = args.Command,
                Tty = tty,
                Env = args.All("--env"),
                WorkingDir = args.Last("--workdir"),
                User = args.Last("--user"),
                InheritStdio = terminal,
            };
            return await engine.ExecAsync(
                args.Target,
                exec,
                args.Has("--interactive") ? Console.OpenStandardInput() : null,
                Console.OpenStandardOutput(),
                Console.OpenStandardError(),
                ct);
        });
        return command;
    }

    private static Command Commit(Option<string> dataDir)
    {
        var name = new Argument<string>("container");
        var reference = new Argument<string>("reference");
        var command = new Command("commit", "Create an image from a container's changes") { name, reference };
        Handle(command, async (parse, ct) =>
        {
            var image = await Open(parse, dataDir).CommitAsync(parse.GetValue(name)!, parse.GetValue(reference)!, ct);
            Console.WriteLine(image.ConfigDigest);
            return 0;
        });
        return command;
    }

    private static Command Inspect(Option<string> dataDir)
    {
        var names = new Argument<string[]>("names") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Show containers or images as JSON") { names };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var results = new List<object>();
            foreach (var name in parse.GetValue(names)!)
            {
                try
                {
                    results.Add(await engine.InspectContainerAsync(name, ct));
                }
                catch (EngineException ex) when (ex.Kind == EngineErrorKind.NotFound)
                {
                    var image = await engine.InspectImageAsync(name, ct);
                    results.Add(new
                    {
                        Id = image.ConfigDigest.ToString(),
                        RepoTags = new[] { image.Name },
                        RepoDigests = new[] { ImageReference.Parse(image.Name).Name + "@" + image.TargetDigest },
                        ManifestDigest = image.ManifestDigest.ToString(),
                        image.Config.Architecture,
                        image.Config.Os,
                        image.Config.Created,
                        Config = image.Config.Config,
                        RootFS = new { Type = "layers", Layers = image.Config.RootFs.DiffIds },
                        Size = image.Manifest.Layers.Sum(l => l.Size),
                    });
                }
            }

            Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return command;
    }

    private static Command Stats(Option<string> dataDir)
    {
        var names = new Argument<string[]>("containers") { Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("stats", "Show one usage sample per container (like docker stats --no-stream)") { names };
        Handle(command, async (parse, ct) =>
        {
            var engine = Open(parse, dataDir);
            var targets = parse.GetValue(names) is { Length: > 0 } given
                ? given.ToList()
                : (await engine.ListContainersAsync(ct)).Where(c => c.Status == ContainerStatus.Running).Select(c => c.Id).ToList();
            var first = new Dictionary<string, ContainerStats>();
            foreach (var target in targets)
            {
                first[target] = await engine.StatsAsync(target, ct);
            }

            await Task.Delay(500, ct);
            var rows = new List<string[]>();
            foreach (var target in targets)
            {
                var record = await engine.InspectContainerAsync(target, ct);
                var second = await engine.StatsAsync(target, ct);
                var cpu = (second.CpuUsageNanoseconds - first[target].CpuUsageNanoseconds) / (second.Timestamp - first[target].Timestamp).TotalNanoseconds * 100;
                rows.Add([record.ShortId, record.Name, cpu.ToString("0.00", CultureInfo.InvariantCulture) + "%",
                    HumanSize(second.MemoryUsageBytes) + " / " + (second.MemoryLimitBytes > 0 ? HumanSize(second.MemoryLimitBytes) : "unlimited"),
                    second.Pids.ToString(CultureInfo.InvariantCulture)]);
            }

            PrintTable(["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "PIDS"], rows);
            return 0;
        });
        return command;
    }

    private static Command Shim()
    {
        var args = new Argument<string[]>("args") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("shim", "Internal: supervise one container until it exits") { args };
        command.Hidden = true;
        command.SetAction(async (parse, ct) =>
        {
            var (options, id) = ContainerEngine.ParseShimArgs(parse.GetValue(args)!);
            return await ContainerEngine.RunShimAsync(options, id, CancellationToken.None);
        });
        return command;
    }

    private static string Status(ContainerRecord c) => c.Status switch
    {
        ContainerStatus.Running => "Up " + Ago(c.StartedAt ?? c.Created).Replace(" ago", "", StringComparison.Ordinal),
        ContainerStatus.Exited => $"Exited ({c.ExitCode}){(c.OomKilled ? " OOMKilled" : "")} {Ago(c.FinishedAt ?? c.Created)}",
        _ => "Created",
    };

    private static string ShortRepository(ImageReference reference) =>
        reference.Registry == ImageReference.DefaultRegistry && reference.Repository.StartsWith("library/", StringComparison.Ordinal)
            ? reference.Repository[8..]
            : reference.Registry == ImageReference.DefaultRegistry ? reference.Repository : reference.Name;

    private static string ShortRepositoryWithTag(string name) =>
        ImageReference.TryParse(name, out var r, out _) ? ShortRepository(r!) + ":" + (r!.Tag ?? r.Digest) : name;

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Ago(DateTimeOffset time)
    {
        var span = DateTimeOffset.UtcNow - time;
        return span.TotalSeconds < 60 ? $"{Math.Max(1, (int)span.TotalSeconds)} seconds ago"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} minutes ago"
            : span.TotalHours < 48 ? $"{(int)span.TotalHours} hours ago"
            : $"{(int)span.TotalDays} days ago";
    }

    internal static string HumanSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(unit == 0 ? "0" : "0.##", CultureInfo.InvariantCulture) + units[unit];
    }

    private static void PrintTable(string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(headers).ToList();
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            Console.WriteLine(string.Join("   ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>Per-blob pull/push progress on stderr, one line per state change (readable in logs and terminals).</summary>
    private sealed class ConsoleProgress : IProgress<BlobProgress>
    {
        private readonly Dictionary<string, (string Status, int Percent)> _last = new();

        public void Report(BlobProgress value)
        {
            var percent = value.Total > 0 ? (int)(value.Done * 100 / value.Total) : 0;
            var bucket = percent / 25;
            lock (_last)
            {
                if (_last.TryGetValue(value.Digest, out var previous) && previous.Status == value.Status && previous.Percent / 25 == bucket)
                {
                    return;
                }

                _last[value.Digest] = (value.Status, percent);
            }

            var shortDigest = value.Digest.Length > 19 ? value.Digest[7..19] : value.Digest;
            Console.Error.WriteLine(value.Status is "Downloading" or "Uploading"
                ? $"{shortDigest}: {value.Status} {HumanSize(value.Done)}/{HumanSize(value.Total)} ({percent}%)"
                : $"{shortDigest}: {value.Status}");
        }
    }
}
