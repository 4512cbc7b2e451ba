using ApiServerBench.Infrastructure;

namespace ApiServerBench;

/// <summary>Parses the few options: <c>--quick</c>, <c>--runs N</c>, <c>--auth cert|token</c>, <c>--binary PATH</c>.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: apiserver-bench [--quick] [--runs N] [--auth cert|token] [--binary PATH]
          --quick        short smoke run (small counts, one run, < 1 minute)
          --runs N       fresh servers per backend; numbers are medians over runs (default 3, quick 1)
          --auth MODE    cert: admin client certificate (default); token: admin bearer token
          --binary PATH  the published stevedore binary (default $STEVEDORE_BINARY or ./out/stevedore)
        """;

    /// <summary>The settings, or null (with a message on standard error) when the arguments are wrong.</summary>
    public static BenchSettings? Parse(string[] args)
    {
        var quick = false;
        int? runs = null;
        var auth = AuthMode.ClientCertificate;
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
                case "--auth" when i + 1 < args.Length && args[i + 1] is "cert" or "token":
                    auth = args[++i] == "token" ? AuthMode.BearerToken : AuthMode.ClientCertificate;
                    break;
                case "--binary" when i + 1 < args.Length:
                    binary = args[++i];
                    break;
                default:
                    Console.Error.WriteLine($"apiserver-bench: unexpected argument {args[i]}\n{Usage}");
                    return null;
            }
        }

        if (!File.Exists(binary))
        {
            Console.Error.WriteLine($"apiserver-bench: {binary} not found: run `dotnet publish src/Stevedore -c Release -o out` or pass --binary");
            return null;
        }

        var settings = quick ? BenchSettings.Quick(Path.GetFullPath(binary)) : new BenchSettings { Binary = Path.GetFullPath(binary) };
        return settings with { Auth = auth, Runs = runs ?? settings.Runs };
    }
}
