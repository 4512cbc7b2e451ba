namespace EndToEnd.Infrastructure;

/// <summary>Locates the repository and the published binary (built by ./test with <c>dotnet publish src/Stevedore -o out</c>).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string StevedoreBinary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("STEVEDORE_BINARY") ?? Path.Combine(Root, "out", "stevedore");
            if (!File.Exists(path))
            {
                throw new InvalidOperationException($"{path} not found: run `dotnet publish src/Stevedore -c Release -o out` (./test does) or set STEVEDORE_BINARY");
            }

            return path;
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Stevedore.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Stevedore.sln) above " + AppContext.BaseDirectory);
    }
}
