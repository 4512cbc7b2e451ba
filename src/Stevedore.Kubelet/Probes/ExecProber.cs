using System.Text;
using Grpc.Core;

namespace Stevedore.Kubelet.Probes;

/// <summary>An exec probe: the command's exit code decides (0 = success), its output is the message.</summary>
internal sealed class ExecProber(IContainerExec exec)
{
    /// <summary>Upstream keeps only the first 10 KiB of a probe command's output.</summary>
    public const int MaxOutput = 10 << 10;

    public async Task<ProbeResult> ProbeAsync(string containerId, IReadOnlyList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            return ProbeResult.Error("exec probe has no command");
        }

        ExecOutcome outcome;
        try
        {
            outcome = await exec.ExecAsync(containerId, command, timeout, cancellationToken);
        }
        catch (RpcException ex)
        {
            return ProbeResult.Error(CriError.Describe(ex));
        }

        if (outcome.TimedOut)
        {
            return ProbeResult.Failure($"command {UpstreamText.Quote(string.Join(' ', command))} timed out");
        }

        var output = CombinedOutput(outcome);
        return outcome.ExitCode == 0 ? ProbeResult.Success(output) : ProbeResult.Failure(output);
    }

    /// <summary>stdout then stderr, cut at <see cref="MaxOutput"/> bytes.</summary>
    public static string CombinedOutput(ExecOutcome outcome)
    {
        var bytes = outcome.Stdout.Concat(outcome.Stderr).Take(MaxOutput).ToArray();
        return Encoding.UTF8.GetString(bytes);
    }
}
