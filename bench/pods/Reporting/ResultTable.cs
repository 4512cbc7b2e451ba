using System.Text;
using PodsBench.Measurement;

namespace PodsBench.Reporting;

/// <summary>Samples per (peer, metric), one per run; rendered as a Markdown table of medians, one column per peer, goals marked met (✓) or missed (✗).</summary>
public sealed class ResultTable
{
    private readonly Dictionary<(string Peer, Metric Metric), List<double>> _samples = [];
    private readonly List<string> _peers = [];

    public void Add(string peer, Metric metric, double value)
    {
        if (!_peers.Contains(peer))
        {
            _peers.Add(peer);
        }

        if (!_samples.TryGetValue((peer, metric), out var list))
        {
            _samples[(peer, metric)] = list = [];
        }

        list.Add(value);
    }

    public string Render(BenchSettings settings)
    {
        var header = new List<string> { "Metric", "Unit", "Goal" };
        header.AddRange(_peers);
        var rows = new List<List<string>> { header };
        // Rows nobody measured (the pod rows under --only idle) are left out.
        foreach (var metric in Metrics.All.Where(m => _peers.Any(peer => _samples.ContainsKey((peer, m)))))
        {
            var label = metric.Label.Replace("N₁", settings.SmallBurst.ToString(), StringComparison.Ordinal)
                .Replace("N₂", settings.LargeBurst.ToString(), StringComparison.Ordinal)
                .Replace("sequential pods", $"{settings.SequentialPods} sequential pods", StringComparison.Ordinal);
            var row = new List<string> { label, metric.Unit, metric.GoalText };
            row.AddRange(_peers.Select(peer => Cell(metric, _samples.GetValueOrDefault((peer, metric)))));
            rows.Add(row);
        }

        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            text.Append("| ").AppendJoin(" | ", rows[i].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).AppendLine(" |");
            if (i == 0)
            {
                text.Append('|').AppendJoin('|', widths.Select((w, c) => c == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")).AppendLine("|");
            }
        }

        return text.ToString();
    }

    private static string Cell(Metric metric, List<double>? samples)
    {
        if (samples is null || samples.Count == 0)
        {
            return "–";
        }

        var median = metric.Summed ? samples.Sum() : Percentiles.Median(samples);
        return metric.Meets(median) switch
        {
            true => metric.Format(median) + " ✓",
            false => metric.Format(median) + " ✗",
            null => metric.Format(median),
        };
    }
}
