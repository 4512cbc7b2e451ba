// Service proxy benchmark (root): rule sync time for 1,000 Services x 10 endpoints (full and
// incremental), and HTTP request latency through a ClusterIP vs straight to the pod IP.
//   bench/proxy/run [--quick] [--runs N] [--sync-only | --latency-only]
// Progress goes to standard error, the Markdown table to standard output.
using System.Diagnostics;
using System.Globalization;
using ProxyBench;

var quick = args.Contains("--quick");
var runs = ArgValue("--runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : quick ? 1 : 5;
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl+C: stop and clean up; a second one ends the process at once.
    if (!stop.IsCancellationRequested)
    {
        e.Cancel = true;
        stop.Cancel();
    }
};

if (Environment.UserName != "root")
{
    await Console.Error.WriteLineAsync("proxy-bench needs root (nftables, network namespaces)");
    return 2;
}

var table = new ResultTable();
var cleanup = new Cleanup();
try
{
    if (!args.Contains("--latency-only"))
    {
        await SyncBench.RunAsync(table, cleanup, quick ? 200 : 1000, 10, runs, stop.Token);
    }

    if (!args.Contains("--sync-only"))
    {
        await LatencyBench.RunAsync(table, cleanup, runs, quick ? 300 : 2000, stop.Token);
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("interrupted; cleaning up");
}
finally
{
    await cleanup.RunAsync();
}

Console.Write(table.Render(runs));
return 0;

static string? ArgValue(string name)
{
    var args = Environment.GetCommandLineArgs();
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

namespace ProxyBench
{
    /// <summary>Undo steps registered as things are made, run newest first, each even if another failed.</summary>
    internal sealed class Cleanup
    {
        private readonly Stack<(string What, Func<Task> Undo)> _steps = new();

        public void Add(string what, Func<Task> undo) => _steps.Push((what, undo));

        public async Task RunAsync()
        {
            while (_steps.TryPop(out var step))
            {
                try
                {
                    await step.Undo();
                }
                catch (Exception ex)
                {
                    await Console.Error.WriteLineAsync($"cleanup of {step.What} failed: {ex.Message}");
                }
            }
        }
    }

    /// <summary>The rows of the result table.</summary>
    internal sealed class ResultTable
    {
        private readonly List<(string Label, string Value, string Goal, bool? Meets)> _rows = [];

        public void Add(string label, string value, string goal = "", bool? meets = null) => _rows.Add((label, value, goal, meets));

        public string Render(int runs)
        {
            var text = new System.Text.StringBuilder();
            text.AppendLine(CultureInfo.InvariantCulture, $"| Service proxy (median of {runs} run{(runs == 1 ? "" : "s")}) | Value | Goal | |");
            text.AppendLine("| --- | --- | --- | --- |");
            foreach (var (label, value, goal, meets) in _rows)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {value} | {goal} | {(meets is null ? "" : meets.Value ? "ok" : "MISSED")} |");
            }

            return text.ToString();
        }
    }

    internal static class Stats
    {
        public static double Median(IEnumerable<double> values) => Percentile(values, 50);

        public static double Percentile(IEnumerable<double> values, double percentile)
        {
            var sorted = values.Order().ToArray();
            if (sorted.Length == 0)
            {
                return double.NaN;
            }

            var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        }

        public static string Ms(double milliseconds) => milliseconds.ToString(milliseconds < 10 ? "0.00" : "0", CultureInfo.InvariantCulture) + " ms";

        public static string Us(double milliseconds) => (milliseconds * 1000).ToString("0", CultureInfo.InvariantCulture) + " µs";
    }

    internal static class Host
    {
        public static async Task<string> RunAsync(string program, params string[] args)
        {
            var info = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {await stderr}");
            }

            return await stdout;
        }

        public static string UniqueName(string prefix) => prefix + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..(15 - prefix.Length)];

        /// <summary>A 10.200–10.229 network of <paramref name="prefix"/> bits (≤ 24) that no route on this machine overlaps.</summary>
        public static async Task<System.Net.IPNetwork> FreeNetworkAsync(int prefix)
        {
            var used = System.Text.Json.Nodes.JsonNode.Parse(await RunAsync("/usr/sbin/ip", "-4", "-j", "route", "show", "table", "all"))!.AsArray()
                .Select(e => e?["dst"]?.GetValue<string>())
                .Where(d => d is not null && d != "default")
                .Select(d => System.Net.IPNetwork.TryParse(d!.Contains('/', StringComparison.Ordinal) ? d : d + "/32", out var n) ? n : (System.Net.IPNetwork?)null)
                .OfType<System.Net.IPNetwork>()
                .Where(n => n.PrefixLength > 0)
                .ToList();
            var step = 1 << (24 - prefix);
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var third = Random.Shared.Next(0, 256 / step) * step;
                var candidate = new System.Net.IPNetwork(System.Net.IPAddress.Parse($"10.{Random.Shared.Next(200, 230)}.{third}.0"), prefix);
                if (!used.Any(u => u.Contains(candidate.BaseAddress) || candidate.Contains(u.BaseAddress)))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("no free network in 10.200.0.0-10.229.255.0");
        }
    }
}
