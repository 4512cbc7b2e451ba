using System.Diagnostics;

namespace Stevedore.Network;

/// <summary>Runs the host's networking tools (<c>ip</c>, <c>nft</c>, <c>iptables</c>) and captures their output.</summary>
internal static class HostCommand
{
    private static readonly string[] SearchDirs = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    /// <summary>Runs <paramref name="program"/>; a non-zero exit is returned, not thrown.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IReadOnlyList<string> args, string? stdin, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Resolve(program), args)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <paramref name="program"/> and throws <see cref="NetworkCommandException"/> on a non-zero exit.</summary>
    public static async Task<string> RunCheckedAsync(string program, IReadOnlyList<string> args, string? stdin, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await RunAsync(program, args, stdin, cancellationToken);
        if (exitCode != 0)
        {
            throw new NetworkCommandException(program, args, exitCode, stderr.Trim().Length > 0 ? stderr.Trim() : stdout.Trim());
        }

        return stdout;
    }

    /// <summary>An absolute path for a tool name, looked up in the sbin and bin directories (root's PATH may lack sbin).</summary>
    public static string Resolve(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : throw new FileNotFoundException($"{program} does not exist", program);
        }

        foreach (var dir in SearchDirs)
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{program} is not installed (looked in {string.Join(", ", SearchDirs)}); install it, e.g. apt-get install {PackageOf(program)}", program);
    }

    private static string PackageOf(string program) => program switch
    {
        "ip" => "iproute2",
        "nft" => "nftables",
        "iptables" or "ip6tables" => "iptables",
        _ => program,
    };
}
