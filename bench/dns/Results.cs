using System.Globalization;
using System.Text;

namespace DnsBench;

/// <summary>Everything measured, and the Markdown table of medians.</summary>
public sealed class Results(BenchSettings settings)
{
    public List<LoadResult> CsharpClosed { get; } = [];

    public List<LoadResult> CsharpOpen { get; } = [];

    public List<LoadResult> DnsperfClosed { get; } = [];

    public List<LoadResult> DnsperfOpen { get; } = [];

    /// <summary>Measured once: label → (value, unit).</summary>
    public Dictionary<string, (double Value, string Unit)> Single { get; } = [];

    public string Render()
    {
        var inFlight = settings.Sockets * settings.InFlightPerSocket;
        var rate = settings.Rate.ToString("N0", CultureInfo.InvariantCulture);
        var rows = new List<string[]>
        {
            Row($"answers/s, closed loop ({inFlight} in flight)", "1/s", "≥ 20,000", r => r.AnsweredPerSecond, CsharpClosed, DnsperfClosed, atLeast: 20_000),
            Row($"latency p50, closed loop", "ms", "", r => r.P50Ms, CsharpClosed, DnsperfClosed),
            Row($"latency p99, closed loop", "ms", "", r => r.P99Ms, CsharpClosed, DnsperfClosed),
            Row($"average latency, closed loop", "ms", "", r => r.AverageMs, CsharpClosed, DnsperfClosed),
            Row($"answers/s at {rate}/s offered", "1/s", "", r => r.AnsweredPerSecond, CsharpOpen, DnsperfOpen),
            Row($"latency p50 at {rate}/s", "ms", "", r => r.P50Ms, CsharpOpen, DnsperfOpen),
            Row($"latency p99 at {rate}/s", "ms", "≤ 2", r => r.P99Ms, CsharpOpen, DnsperfOpen, atMost: 2),
            Row($"average latency at {rate}/s", "ms", "", r => r.AverageMs, CsharpOpen, DnsperfOpen),
            Row("lost or wrong answers (all runs)", "count", "", r => r.Lost, CsharpClosed.Concat(CsharpOpen).ToList(), DnsperfClosed.Concat(DnsperfOpen).ToList(), sum: true),
        };
        foreach (var (label, (value, unit)) in Single)
        {
            rows.Add([label, unit, "", Format(value), ""]);
        }

        var header = new[] { "Metric", "Unit", "Goal", "C# load generator", "dnsperf" };
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Select(r => r[c].Length).Append(header[c].Length).Max()).ToArray();
        var text = new StringBuilder();
        Line(text, header, widths);
        text.AppendLine("|" + string.Join("|", widths.Select((w, c) => c == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
        foreach (var row in rows)
        {
            Line(text, row, widths);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths) =>
        text.AppendLine("| " + string.Join(" | ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |");

    private static string[] Row(string label, string unit, string goal, Func<LoadResult, double> value, List<LoadResult> csharp, List<LoadResult> dnsperf,
        double? atLeast = null, double? atMost = null, bool sum = false)
    {
        string Cell(List<LoadResult> runs)
        {
            var values = runs.Select(value).Where(v => !double.IsNaN(v)).ToList();
            if (values.Count == 0)
            {
                return runs.Count == 0 ? "" : "n/a";
            }

            var result = sum ? values.Sum() : values.Order().ElementAt((values.Count - 1) / 2);
            var mark = atLeast is { } min ? (result >= min ? " ✓" : " ✗") : atMost is { } max ? (result <= max ? " ✓" : " ✗") : "";
            return Format(result) + mark;
        }

        return [label, unit, goal, Cell(csharp), Cell(dnsperf)];
    }

    private static string Format(double value) =>
        Math.Abs(value) >= 100 || value == Math.Floor(value) ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.00", CultureInfo.InvariantCulture);
}
