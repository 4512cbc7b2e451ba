using System.Globalization;
using System.Text;
using k8s.Models;

namespace Stevedore.Kubelet.Probes;

/// <summary>
/// Formats values the way upstream's messages print them (Go's %q, %v of a slice, durations,
/// <c>format.Pod</c>), so events read the same as on a real cluster.
/// </summary>
internal static class UpstreamText
{
    /// <summary>The Kubernetes minor this agent speaks (kept equal to the API server's version).</summary>
    public const string KubeVersion = "1.33";

    /// <summary>The User-Agent upstream sends: <c>kube-probe/1.33</c> for probes, <c>kube-lifecycle/1.33</c> for hooks.</summary>
    public static string UserAgent(string purpose) => $"kube-{purpose}/{KubeVersion}";

    /// <summary><c>name_namespace(uid)</c>.</summary>
    public static string Pod(V1Pod pod) => $"{pod.Metadata?.Name}_{pod.Metadata?.NamespaceProperty}({pod.Metadata?.Uid})";

    /// <summary>A string slice as Go's %v prints it: <c>[sh -c exit 1]</c>.</summary>
    public static string Slice(IEnumerable<string>? items) => "[" + string.Join(' ', items ?? []) + "]";

    /// <summary>A string as Go's %q prints it.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (Rune.IsControl(rune))
                    {
                        builder.Append(rune.Value < 0x100 ? $"\\x{rune.Value:x2}" : $"\\u{rune.Value:x4}");
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>A duration as Go's <c>time.Duration.String()</c> prints it: 1s, 1.5s, 500ms, 1m30s.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        if (duration < TimeSpan.FromSeconds(1))
        {
            return duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        }

        var builder = new StringBuilder();
        if (duration.TotalHours >= 1)
        {
            builder.Append((long)duration.TotalHours).Append('h');
        }

        if (duration.TotalMinutes >= 1)
        {
            builder.Append(duration.Minutes).Append('m');
        }

        var seconds = duration.Seconds + (duration.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        return builder.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s').ToString();
    }
}
