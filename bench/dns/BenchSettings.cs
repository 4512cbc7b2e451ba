namespace DnsBench;

/// <summary>What to run: counts, durations, and where the published stevedore binary is.</summary>
public sealed record BenchSettings
{
    public const string Usage = """
        usage: dns-bench [--quick] [--runs N] [--services N] [--binary PATH]
          --quick         smoke run: 200 Services, one run, 3 s per measurement (< 1 minute)
          --runs N        measurements per tool; the table shows medians (default 3)
          --services N    Services loaded through the API (default 1000, 10 endpoints each)
          --binary PATH   the published stevedore binary (default $STEVEDORE_BINARY or ./out/stevedore)
        """;

    public required string Binary { get; init; }

    public int Runs { get; init; } = 3;

    public int Services { get; init; } = 1000;

    public int EndpointsPerService { get; init; } = 10;

    /// <summary>One Service in this many is headless (its name answers with its 10 endpoints).</summary>
    public int HeadlessEvery { get; init; } = 10;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The offered rate of the open-loop measurements (the goal).</summary>
    public int Rate { get; init; } = 20_000;

    /// <summary>Sockets of the load generator, and queries in flight on each in the closed loop.</summary>
    public int Sockets { get; init; } = 4;

    public int InFlightPerSocket { get; init; } = 16;

    public static BenchSettings? Parse(string[] args)
    {
        var quick = false;
        int? runs = null;
        int? services = null;
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
                case "--services" when i + 1 < args.Length && int.TryParse(args[i + 1], out var s) && s > 0:
                    services = s;
                    i++;
                    break;
                case "--binary" when i + 1 < args.Length:
                    binary = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"dns-bench: unexpected argument {args[i]}\n{Usage}");
                    return null;
            }
        }

        if (!File.Exists(binary))
        {
            Console.Error.WriteLine($"dns-bench: {binary} not found: run `dotnet publish src/Stevedore -c Release -o out` or pass --binary");
            return null;
        }

        var settings = new BenchSettings { Binary = Path.GetFullPath(binary) };
        if (quick)
        {
            settings = settings with { Runs = 1, Services = 200, Duration = TimeSpan.FromSeconds(3) };
        }

        return settings with { Runs = runs ?? settings.Runs, Services = services ?? settings.Services };
    }
}
