using System.Diagnostics;
using ApiServerBench.Infrastructure;

namespace ControlPlaneBench.Infrastructure;

/// <summary>
/// One published <c>stevedore hollow-nodes</c> process registering <c>--count</c> nodes with the
/// server whose admin kubeconfig it is given; its output goes to a log file in its own temp folder.
/// </summary>
public sealed class HollowNodesProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly string _logPath;

    private HollowNodesProcess(Process process, string folder, string logPath)
    {
        _process = process;
        _folder = folder;
        _logPath = logPath;
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public static HollowNodesProcess Start(string binary, string kubeconfig, int count, string namePrefix)
    {
        var folder = TempDirectory.Create("hollow");
        var logPath = Path.Combine(folder, "hollow-nodes.log");
        // exec keeps the PID the hollow-nodes process's own, so its RSS and CPU can be read.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = folder };
        info.Environment["STEVEDORE_BENCH_LOG"] = logPath;
        foreach (var argument in new[]
        {
            "-c", "exec \"$0\" \"$@\" > \"$STEVEDORE_BENCH_LOG\" 2>&1", binary, "hollow-nodes",
            "--kubeconfig", kubeconfig, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--name-prefix", namePrefix, "--no-events",
        })
        {
            info.ArgumentList.Add(argument);
        }

        return new HollowNodesProcess(ChildProcesses.Start(info), folder, logPath);
    }

    /// <summary>The end of its log, for error messages.</summary>
    public string LogTail
    {
        get
        {
            var text = File.Exists(_logPath) ? File.ReadAllText(_logPath) : "";
            return text.Length > 4000 ? text[^4000..] : text;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcesses.StopAsync(_process);
        TempDirectory.Delete(_folder);
    }
}
