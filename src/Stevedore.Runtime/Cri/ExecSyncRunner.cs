using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Stevedore.Runtime.Containers;

namespace Stevedore.Runtime.Cri;

/// <summary>
/// CRI ExecSync: <c>runc exec</c> with its output captured (each stream capped) and a timeout that,
/// like containerd's, kills the command inside the container rather than just abandoning it —
/// hence <c>--pid-file</c>, which names the process runc started in the container.
/// </summary>
public sealed class ExecSyncRunner(RuncClient runc)
{
    /// <summary>The cap on each of stdout and stderr (CRI asks for 16 MiB).</summary>
    public const int MaxOutput = 16 << 20;

    /// <summary>Runs <paramref name="command"/> in a running container; a timeout of zero or less waits forever.</summary>
    public async Task<(int ExitCode, byte[] Stdout, byte[] Stderr)> RunAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "cmd is required"));
        }

        var pidFile = Path.Combine(Path.GetTempPath(), $"stevedore-exec-{Guid.NewGuid():N}.pid");
        var info = runc.StartInfo(["exec", "--pid-file", pidFile, containerId, .. command]);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var stdout = new CappedStream(MaxOutput);
        using var stderr = new CappedStream(MaxOutput);
        using var process = RuncClient.StartProcess(info);
        try
        {
            process.StandardInput.Close();
            var outCopy = process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None);
            var errCopy = process.StandardError.BaseStream.CopyToAsync(stderr, CancellationToken.None);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (timeout > TimeSpan.Zero)
            {
                deadline.CancelAfter(timeout);
            }

            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                KillExecProcess(pidFile);
                await process.WaitForExitAsync(CancellationToken.None);
                await Task.WhenAll(outCopy, errCopy);
                cancellationToken.ThrowIfCancellationRequested();
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"command timed out after {timeout.TotalSeconds:0.###}s"));
            }

            await Task.WhenAll(outCopy, errCopy);
            return (process.ExitCode, stdout.ToArray(), stderr.ToArray());
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    private static void KillExecProcess(string pidFile)
    {
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            try
            {
                using var inContainer = Process.GetProcessById(pid);
                inContainer.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }
}
