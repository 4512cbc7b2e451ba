namespace Stevedore.Runtime.NodeTests;

/// <summary>
/// The published binaries: <c>dotnet publish src/Stevedore -c Release -o out</c> (./test does it) gives
/// <c>out/stevedore</c> and the native shim <c>out/stevedore-shim</c> beside it. <c>STEVEDORE_BINARY</c>
/// points at another published <c>stevedore</c>.
/// </summary>
public static class PublishedBinaries
{
    public const string NativeShimFileName = "stevedore-shim";

    /// <summary>The published <c>stevedore</c>; throws (failing the test) when it was not published.</summary>
    public static string Stevedore =>
        Require(Environment.GetEnvironmentVariable("STEVEDORE_BINARY") ?? Path.Combine(TestImages.RepoRoot, "out", "stevedore"));

    /// <summary>The native shim beside the published binary; throws (failing the test) when the publish did not produce it.</summary>
    public static string NativeShim => Require(Path.Combine(Path.GetDirectoryName(Stevedore)!, NativeShimFileName));

    private static string Require(string path) =>
        File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} not found: run `dotnet publish src/Stevedore -c Release -o out` (./test does) or set STEVEDORE_BINARY");
}
