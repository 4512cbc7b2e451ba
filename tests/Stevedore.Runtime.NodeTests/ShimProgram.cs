using Stevedore.Runtime;

namespace Stevedore.Runtime.NodeTests;

/// <summary>
/// Lets the test assembly serve as the engine's detached shim (<c>dotnet exec NodeTests.dll shim ...</c>),
/// the role <c>stevedore engine shim</c> plays for the real binary.
/// </summary>
public static class ShimProgram
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "shim")
        {
            var (options, id) = ContainerEngine.ParseShimArgs(args[1..]);
            return ContainerEngine.RunShimAsync(options, id, CancellationToken.None).GetAwaiter().GetResult();
        }

        return 2;
    }

    /// <summary>The shim command for <see cref="EngineOptions.ShimCommand"/>.</summary>
    public static IReadOnlyList<string> Command =>
        ["dotnet", "exec", typeof(ShimProgram).Assembly.Location, "shim"];
}
