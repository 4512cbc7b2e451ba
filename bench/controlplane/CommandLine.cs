using ApiServerBench.Reporting;

namespace ControlPlaneBench;

/// <summary>Parses the few options: <c>--quick</c>, <c>--runs N</c>, <c>--etcd</c>, <c>--only</c>, <c>--binary PATH</c>.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: controlplane-bench [--quick] [--runs N] [--etcd] [--only scheduler|deployment] [--nodes N,...] [--binary PATH]
          --quick        short smoke run (small counts, one run, a few minutes)
          --runs N       fresh clusters per scenario; numbers are medians over runs (default 3, quick 1)
          --etcd         also run everything on a fresh etcd (a second column)
          --only NAME    only the scheduler throughput scenarios, or only the Deployment scenario
          --nodes N,...  hollow node counts for the scheduler throughput scenario (default 1000,5000)
          --binary PATH  the published stevedore binary (default $STEVEDORE_BINARY or ./out/stevedore)
        """;

    /// <summary>The settings and which scenarios to run, or null (with a message on standard error) when the arguments are wrong.</summary>
    public static (BenchSettings Settings, ScenarioSet Scenarios)? Parse(string[] args)
    {
        var quick = false;
        int? runs = null;
        var etcd = false;
        var scenarios = ScenarioSet.All;
        IReadOnlyList<int>? nodes = null;
        var binary = Environment.GetEnvironmentVariable("STEVEDORE_BINARY") ?? Path.Combine("out", "stevedore");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    runs = n;
                    i++;
                    break;
                case "--etcd":
                    etcd = true;
                    break;
                case "--only" when i + 1 < args.Length && args[i + 1] is "scheduler" or "deployment":
                    scenarios = args[++i] == "scheduler" ? ScenarioSet.Scheduler : ScenarioSet.Deployment;
                    break;
                case "--nodes" when i + 1 < args.Length && ParseCounts(args[i + 1]) is { } counts:
                    nodes = counts;
                    i++;
                    break;
                case "--binary" when i + 1 < args.Length:
                    binary = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"controlplane-bench: unexpected argument {args[i]}\n{Usage}");
                    return null;
            }
        }

        if (!File.Exists(binary))
        {
            Console.Error.WriteLine($"controlplane-bench: {binary} not found: run `dotnet publish src/Stevedore -c Release -o out` or pass --binary");
            return null;
        }

        var settings = quick ? BenchSettings.Quick(Path.GetFullPath(binary)) : new BenchSettings { Binary = Path.GetFullPath(binary) };
        settings = settings with
        {
            Runs = runs ?? settings.Runs,
            Backends = etcd ? [Backend.Sqlite, Backend.Etcd] : [Backend.Sqlite],
            ThroughputNodes = nodes ?? settings.ThroughputNodes,
        };
        return (settings, scenarios);
    }

    private static int[]? ParseCounts(string text)
    {
        var parts = text.Split(',');
        var counts = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], out counts[i]) || counts[i] < 1)
            {
                return null;
            }
        }

        return counts;
    }
}
