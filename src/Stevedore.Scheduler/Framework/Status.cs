namespace Stevedore.Scheduler.Framework;

/// <summary>
/// The result of a plugin call: a code plus human-readable reasons. Reasons are what the
/// FailedScheduling message counts ("3 Insufficient cpu"), so they must read exactly like upstream.
/// </summary>
public sealed class Status
{
    private static readonly string[] NoReasons = [];

    private Status(StatusCode code, IReadOnlyList<string> reasons, string? plugin)
    {
        Code = code;
        Reasons = reasons;
        Plugin = plugin;
    }

    /// <summary>The shared success status.</summary>
    public static Status Success { get; } = new(StatusCode.Success, NoReasons, null);

    /// <summary>The shared skip status.</summary>
    public static Status Skip { get; } = new(StatusCode.Skip, NoReasons, null);

    public StatusCode Code { get; }

    /// <summary>Reasons; each one is counted separately in the FailedScheduling message.</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <summary>The plugin that produced this status, set by the framework runner.</summary>
    public string? Plugin { get; }

    /// <summary>The reasons joined with ", ".</summary>
    public string Message => string.Join(", ", Reasons);

    public bool IsSuccess => Code == StatusCode.Success;

    public bool IsSkip => Code == StatusCode.Skip;

    /// <summary>True for Unschedulable and UnschedulableAndUnresolvable.</summary>
    public bool IsRejected => Code is StatusCode.Unschedulable or StatusCode.UnschedulableAndUnresolvable;

    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons, null);

    public static Status Unresolvable(params string[] reasons) => new(StatusCode.UnschedulableAndUnresolvable, reasons, null);

    public static Status Error(string message) => new(StatusCode.Error, [message], null);

    public static Status Of(StatusCode code, params string[] reasons) => new(code, reasons, null);

    /// <summary>A copy of this status attributed to <paramref name="plugin"/>.</summary>
    public Status WithPlugin(string plugin) => Plugin == plugin ? this : new Status(Code, Reasons, plugin);

    public override string ToString() => Reasons.Count == 0 ? Code.ToString() : $"{Code}: {Message}";
}
