using System.Diagnostics;
using System.Text;

namespace Stevedore.Kubelet.NodeTests.Infrastructure;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Combined => StandardOutput + StandardError;
}

/// <summary>One installed kubectl release bound to a kubeconfig.</summary>
public sealed class Kubectl(string version, string kubeconfig)
{
    public string Version { get; } = version;

    public string Binary => PathOf(Version);

    public static string PathOf(string version) => $"/usr/lib/google-cloud-sdk/bin/kubectl.{version}";

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["KUBECONFIG"] = kubeconfig,
        ["HOME"] = Path.GetDirectoryName(kubeconfig)!,
    };

    /// <summary>Runs kubectl to completion (60 s at most), feeding <paramref name="input"/> on stdin when given.</summary>
    public async Task<ProcessResult> RunAsync(IEnumerable<string> arguments, string? input = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in Environment)
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl.{Version} {string.Join(' ', arguments)} did not finish in time: {await stdout}{await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    public Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync(arguments, null);

    /// <summary>Runs and asserts success, returning standard output.</summary>
    public async Task<string> OkAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments, null);
        Assert.True(result.ExitCode == 0, $"kubectl.{Version} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Combined}");
        return result.StandardOutput;
    }

    /// <summary>Starts kubectl in the background (for port-forward); the caller kills it.</summary>
    public Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in Environment)
        {
            info.Environment[k] = v;
        }

        return Process.Start(info)!;
    }

    /// <summary>
    /// Runs kubectl with a pseudo-terminal as its stdin and stdout (util-linux <c>script</c>), as a user
    /// typing at a terminal would, so <c>-t</c> really allocates a TTY.
    /// </summary>
    public async Task<ProcessResult> RunInTerminalAsync(string arguments, string? input = null, (int Columns, int Rows)? terminalSize = null)
    {
        var command = new StringBuilder();
        if (terminalSize is { } size)
        {
            command.Append($"stty cols {size.Columns} rows {size.Rows}; ");
        }

        foreach (var (k, v) in Environment)
        {
            command.Append(k).Append("='").Append(v).Append("' ");
        }

        command.Append("exec ").Append(Binary).Append(' ').Append(arguments);
        var info = new ProcessStartInfo("script")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-q", "-e", "-c", command.ToString(), "/dev/null" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            await process.StandardInput.FlushAsync();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"script -c 'kubectl.{Version} {arguments}' did not finish in time: {await stdout}{await stderr}");
        }

        process.StandardInput.Close();
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
