using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace DnsBench;

/// <summary>
/// Runs Debian's dnsperf (DNS-OARC) on the same query file: its queries/s and average latency
/// (dnsperf reports no percentiles). Null when dnsperf is not installed.
/// </summary>
public static class Dnsperf
{
    public static bool Available => File.Exists("/usr/bin/dnsperf");

    /// <param name="rate">null: as fast as <paramref name="inFlight"/> outstanding queries allow; else dnsperf's -Q limit.</param>
    public static async Task<LoadResult?> RunAsync(IPEndPoint server, string queryFile, TimeSpan duration, int clients, int inFlight, int? rate, CancellationToken cancellationToken)
    {
        if (!Available)
        {
            return null;
        }

        var info = new ProcessStartInfo("/usr/bin/dnsperf") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-s", server.Address.ToString(), "-p", server.Port.ToString(CultureInfo.InvariantCulture), "-d", queryFile,
            "-l", duration.TotalSeconds.ToString("0", CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture),
            "-q", inFlight.ToString(CultureInfo.InvariantCulture), "-t", "2" })
        {
            info.ArgumentList.Add(argument);
        }

        if (rate is { } limit)
        {
            info.ArgumentList.Add("-Q");
            info.ArgumentList.Add(limit.ToString(CultureInfo.InvariantCulture));
        }

        var process = ChildProcesses.Start(info);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            var text = await output;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"dnsperf failed ({process.ExitCode}): {await errors}{text}");
            }

            return Parse(text);
        }
        finally
        {
            await ChildProcesses.StopAsync(process);
        }
    }

    /// <summary>Reads dnsperf's statistics block.</summary>
    public static LoadResult Parse(string output)
    {
        double Field(string label)
        {
            var line = output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(label, StringComparison.Ordinal))
                ?? throw new FormatException($"dnsperf printed no \"{label}\" line: {output}");
            var value = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0];
            return double.Parse(value, CultureInfo.InvariantCulture);
        }

        var sent = (long)Field("Queries sent:");
        var completed = (long)Field("Queries completed:");
        // Response codes other than NOERROR and NXDOMAIN count as failures.
        var codes = output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith("Response codes:", StringComparison.Ordinal)) ?? "";
        long failed = 0;
        foreach (var part in codes[(codes.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = part.Split(' ');
            if (fields.Length >= 2 && fields[0] is not ("NOERROR" or "NXDOMAIN") && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var n))
            {
                failed += n;
            }
        }

        return new LoadResult(Field("Queries per second:"), double.NaN, double.NaN, Field("Average Latency (s):") * 1000, sent, completed, failed);
    }
}
