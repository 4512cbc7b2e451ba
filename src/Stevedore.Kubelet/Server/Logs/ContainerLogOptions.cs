using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Stevedore.Kubelet.Server.Logs;

/// <summary>What a <c>/containerLogs</c> request asks for (the query of <c>PodLogOptions</c>).</summary>
public sealed record ContainerLogOptions
{
    /// <summary>Keep streaming as the log grows, until the container stops.</summary>
    public bool Follow { get; init; }

    /// <summary>The log of the previous, terminated instance of the container.</summary>
    public bool Previous { get; init; }

    /// <summary>Prefix every line with its time (RFC 3339, nine fraction digits).</summary>
    public bool Timestamps { get; init; }

    /// <summary>Only the last N lines of the file (null: all).</summary>
    public long? TailLines { get; init; }

    /// <summary>Only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Stop after this many bytes of output.</summary>
    public long? LimitBytes { get; init; }

    /// <summary>Reads the query; <paramref name="error"/> says what is wrong when it returns null.</summary>
    public static ContainerLogOptions? FromQuery(IQueryCollection query, DateTimeOffset now, out string error)
    {
        error = "";
        var options = new ContainerLogOptions
        {
            Follow = IsTrue(query["follow"]),
            Previous = IsTrue(query["previous"]),
            Timestamps = IsTrue(query["timestamps"]),
        };

        if (query.TryGetValue("tailLines", out var tail) && tail.Count > 0 && tail[0] is { Length: > 0 } tailText)
        {
            if (!long.TryParse(tailText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var lines) || lines < 0)
            {
                error = $"tailLines: Invalid value: \"{tailText}\": must be greater than or equal to 0";
                return null;
            }

            options = options with { TailLines = lines };
        }

        if (query.TryGetValue("limitBytes", out var limit) && limit.Count > 0 && limit[0] is { Length: > 0 } limitText)
        {
            if (!long.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) || bytes < 1)
            {
                error = $"limitBytes: Invalid value: \"{limitText}\": must be greater than 0";
                return null;
            }

            options = options with { LimitBytes = bytes };
        }

        var hasSeconds = query.TryGetValue("sinceSeconds", out var seconds) && seconds.Count > 0 && !string.IsNullOrEmpty(seconds[0]);
        var hasTime = query.TryGetValue("sinceTime", out var sinceTime) && sinceTime.Count > 0 && !string.IsNullOrEmpty(sinceTime[0]);
        if (hasSeconds && hasTime)
        {
            error = "at most one of `sinceTime` or `sinceSeconds` may be specified";
            return null;
        }

        if (hasSeconds)
        {
            if (!long.TryParse(seconds[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) || s < 1)
            {
                error = $"sinceSeconds: Invalid value: \"{seconds[0]}\": must be greater than 0";
                return null;
            }

            options = options with { Since = now - TimeSpan.FromSeconds(s) };
        }
        else if (hasTime)
        {
            if (!DateTimeOffset.TryParse(sinceTime[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            {
                error = $"sinceTime: Invalid value: \"{sinceTime[0]}\": must be an RFC 3339 time";
                return null;
            }

            options = options with { Since = t };
        }

        return options;
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count > 0 && value[0] is "true" or "1" or "True";
}
