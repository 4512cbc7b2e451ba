using System.Text;
using ApiServerBench.Measurement;

namespace ApiServerBench.Reporting;

/// <summary>Renders the medians as a Markdown table, one column per backend, goals marked met (✓) or missed (✗).</summary>
public static class ResultTable
{
    public static string Render(ResultSet results, IReadOnlyList<Backend> backends)
    {
        var header = new List<string> { "Metric", "Unit", "Goal" };
        header.AddRange(backends.Select(Name));
        var rows = new List<List<string>> { header };
        foreach (var metric in results.Rows)
        {
            var row = new List<string> { metric.Label, metric.Unit, metric.GoalText };
            foreach (var backend in backends)
            {
                row.Add(Cell(metric, results.Samples(backend, metric)));
            }

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

    public static string Name(Backend backend) => backend switch
    {
        Backend.Sqlite => "SQLite",
        Backend.Etcd => "etcd",
        _ => backend.ToString(),
    };

    private static string Cell(Metric metric, IReadOnlyList<double> samples)
    {
        if (samples.Count == 0)
        {
            return "–";
        }

        var median = Percentiles.Median(samples);
        return metric.Meets(median) switch
        {
            true => metric.Format(median) + " ✓",
            false => metric.Format(median) + " ✗",
            null => metric.Format(median),
        };
    }
}
