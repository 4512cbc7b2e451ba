namespace Stevedore.Kubelet.Probes;

/// <summary>How one probe attempt ended.</summary>
public enum ProbeOutcome
{
    /// <summary>The check passed.</summary>
    Success,

    /// <summary>Passed, with something worth an event (an HTTP redirect to another host was not followed).</summary>
    Warning,

    /// <summary>The check ran and failed; counts towards failureThreshold.</summary>
    Failure,

    /// <summary>The check could not run (bad port name, runtime error); counts neither way, as upstream.</summary>
    Error,
}

/// <summary>The outcome of one probe attempt and the text upstream puts after "Liveness probe failed: ".</summary>
public sealed record ProbeResult(ProbeOutcome Outcome, string Output)
{
    public static ProbeResult Success(string output = "") => new(ProbeOutcome.Success, output);

    public static ProbeResult Warning(string output) => new(ProbeOutcome.Warning, output);

    public static ProbeResult Failure(string output) => new(ProbeOutcome.Failure, output);

    public static ProbeResult Error(string output) => new(ProbeOutcome.Error, output);

    /// <summary>True for Success and Warning: what the threshold counting sees as a pass.</summary>
    public bool Passed => Outcome is ProbeOutcome.Success or ProbeOutcome.Warning;
}
