namespace PodsBench;

/// <summary>What one benchmark invocation does; <see cref="Parse"/> reads it from the command line.</summary>
public sealed record BenchSettings
{
    public const string Usage = """
        usage: pods-bench [--quick] [--only idle] [--runs N] [--peers LIST] [--sequential N] [--keep-logs DIR] [--binary PATH] [--images-script PATH]
          --quick               smoke run: 10 sequential pods, bursts of 5 and 20, 5 s idle window, one run
          --only idle           only the idle agent (RSS, CPU), no pods: peers stevedore,containerd by default
          --runs N              fresh clusters per peer; numbers are medians over runs (default 1)
          --peers LIST          comma-separated: stevedore,containerd,podman (default all three)
          --sequential N        only N sequential pods and the two bursts: no idle agent window (quick look at latency)
          --keep-logs DIR       copy the server's (agent's) and containerd's logs to DIR before the temp folders go
          --binary PATH         the published stevedore binary (default ./out/stevedore)
          --images-script PATH  images/build-test-images.sh (default: found above the current folder)
        """;

    public required string Binary { get; init; }

    public required string ImagesScript { get; init; }

    public int Runs { get; init; } = 1;

    /// <summary>Pods created one after the other (each waits for the previous one to run).</summary>
    public int SequentialPods { get; init; } = 100;

    /// <summary>The two bursts: pods created at once, timed until all run.</summary>
    public int SmallBurst { get; init; } = 20;

    public int LargeBurst { get; init; } = 110;

    /// <summary>How long the idle agent is watched after it settled.</summary>
    public TimeSpan IdleWindow { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<string> Peers { get; init; } = ["stevedore", "containerd", "podman"];

    public bool Quick { get; init; }

    /// <summary>Only the idle agent is measured (<c>--only idle</c>): no pods are created.</summary>
    public bool OnlyIdle { get; init; }

    /// <summary>Skip the idle agent measurement (set by --sequential).</summary>
    public bool SkipIdle { get; init; }

    /// <summary>Where the peers' logs are copied, or null.</summary>
    public string? KeepLogs { get; init; }

    /// <summary>The settings, or null (with a message on standard error) when the arguments are wrong.</summary>
    public static BenchSettings? Parse(string[] args)
    {
        var quick = false;
        var onlyIdle = false;
        var runs = 1;
        var binary = Path.Combine("out", "stevedore");
        string? script = null;
        string? keepLogs = null;
        int? sequential = null;
        string[]? peers = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--only" when i + 1 < args.Length:
                    if (args[++i] != "idle")
                    {
                        Console.Error.WriteLine($"pods-bench: --only {args[i]}: the only part that runs alone is idle");
                        return null;
                    }

                    onlyIdle = true;
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    runs = n;
                    i++;
                    break;
                case "--peers" when i + 1 < args.Length:
                    peers = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (peers.Length == 0 || peers.Any(p => p is not ("stevedore" or "containerd" or "podman")))
                    {
                        Console.Error.WriteLine($"pods-bench: --peers {args[i]}: expected a comma-separated list of stevedore, containerd, podman");
                        return null;
                    }

                    break;
                case "--sequential" when i + 1 < args.Length && int.TryParse(args[i + 1], out var count) && count > 0:
                    sequential = count;
                    i++;
                    break;
                case "--keep-logs" when i + 1 < args.Length:
                    keepLogs = Path.GetFullPath(args[++i]);
                    break;
                case "--binary" when i + 1 < args.Length:
                    binary = args[++i];
                    break;
                case "--images-script" when i + 1 < args.Length:
                    script = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"pods-bench: unexpected argument {args[i]}\n{Usage}");
                    return null;
            }
        }

        // podman has no agent to watch idle.
        peers ??= onlyIdle ? ["stevedore", "containerd"] : ["stevedore", "containerd", "podman"];
        if (onlyIdle && peers.Contains("podman"))
        {
            Console.Error.WriteLine("pods-bench: --only idle measures agents: podman has none, leave it out of --peers");
            return null;
        }

        if (!File.Exists(binary))
        {
            Console.Error.WriteLine($"pods-bench: {binary} not found: run `dotnet publish src/Stevedore -c Release -o out` or pass --binary");
            return null;
        }

        script ??= FindImagesScript();
        if (script is null || !File.Exists(script))
        {
            Console.Error.WriteLine("pods-bench: images/build-test-images.sh not found: pass --images-script");
            return null;
        }

        if (Environment.UserName != "root")
        {
            Console.Error.WriteLine("pods-bench: runs real pods (runc, CNI, netns): run it as root");
            return null;
        }

        var settings = new BenchSettings { Binary = Path.GetFullPath(binary), ImagesScript = Path.GetFullPath(script), Runs = runs, Peers = peers, Quick = quick, OnlyIdle = onlyIdle, KeepLogs = keepLogs };
        settings = quick ? settings with { SequentialPods = 10, SmallBurst = 5, LargeBurst = 20, IdleWindow = TimeSpan.FromSeconds(5), Runs = 1 } : settings;
        return sequential is { } pods ? settings with { SequentialPods = pods, SkipIdle = true } : settings;
    }

    private static string? FindImagesScript()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "images", "build-test-images.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
