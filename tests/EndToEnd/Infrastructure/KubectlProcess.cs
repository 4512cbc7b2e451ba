using System.Diagnostics;
using System.Text;

namespace EndToEnd.Infrastructure;

/// <summary>A long-running kubectl (<c>logs -f</c>, <c>port-forward</c>) whose output is read while it runs; disposing kills it.</summary>
public sealed class KubectlProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public KubectlProcess(Kubectl kubectl, params string[] arguments)
    {
        var info = new ProcessStartInfo(kubectl.Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["KUBECONFIG"] = kubectl.Kubeconfig;
        info.Environment["HOME"] = Path.GetDirectoryName(kubectl.Kubeconfig)!;
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Standard output and error so far, interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until the output contains <paramref name="text"/>; fails (with the output) if kubectl exits first or after the timeout.</summary>
    public Task WaitForOutputAsync(string text, int seconds = 90) =>
        Scenario.EventuallyAsync(() =>
        {
            var contains = Output.Contains(text, StringComparison.Ordinal);
            if (!contains && _process.HasExited)
            {
                Assert.Fail($"kubectl exited ({_process.ExitCode}) before printing \"{text}\": {Output}");
            }

            return Task.FromResult(contains);
        }, $"kubectl to print \"{text}\"", () => Task.FromResult(Output), seconds);

    /// <summary>Waits for kubectl to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(int seconds = 90)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"kubectl did not exit within {seconds} s: {Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
