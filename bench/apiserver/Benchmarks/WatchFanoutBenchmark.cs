using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ApiServerBench.Infrastructure;
using ApiServerBench.Measurement;
using ApiServerBench.Reporting;

namespace ApiServerBench.Benchmarks;

/// <summary>
/// Watch fan-out: many watchers (each its own HTTP/2 stream, <c>?watch=1&amp;resourceVersion=RV</c>)
/// on one namespace's ConfigMaps, then a series of updates to one ConfigMap. Each update carries
/// its send time in an annotation; every watcher measures send → delivery when the event's line
/// arrives, so the number includes the write's own commit time (an upper bound on commit →
/// delivery). The next update goes out once all watchers have seen the previous one (or after a
/// timeout), so updates do not queue behind each other.
/// </summary>
public sealed class WatchFanoutBenchmark : IBenchmark
{
    private const string Collection = "/api/v1/namespaces/watched/configmaps";
    private const string Target = "target";
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(5);
    private static readonly string StampPrefix = $"\"{Manifests.SentAnnotation}\":\"";
    private const string ModifiedType = "\"type\":\"MODIFIED\"";

    public string Name => "watch fan-out";

    public async Task RunAsync(BenchRun run, CancellationToken cancellationToken)
    {
        var settings = run.Settings;
        await run.Api.EnsureNamespaceAsync("watched", cancellationToken);
        var resourceVersion = await run.Api.WriteAsync(HttpMethod.Post, Collection, Manifests.ConfigMap(Target), cancellationToken);

        var recorder = new LatencyRecorder();
        var counter = new DeliveryCounter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watchClient = run.Server.Connection.CreateClient();
        var opening = new SemaphoreSlim(64);
        var opened = Enumerable.Range(0, settings.Watchers).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var watchers = opened.Select(o => WatchAsync(watchClient, $"{Collection}?watch=1&resourceVersion={resourceVersion}", opening, o, recorder, counter, stop.Token)).ToArray();
        try
        {
            await Task.WhenAll(opened.Select(o => o.Task)).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            Progress.Write($"{ResultTable.Name(run.Backend)}: {settings.Watchers} watch streams open");

            for (var sequence = 0; sequence < settings.WatchUpdates; sequence++)
            {
                var allSeen = counter.WaitForAsync((long)(sequence + 1) * settings.Watchers);
                var update = Manifests.ConfigMapUpdate(Target, resourceVersion, Stopwatch.GetTimestamp(), sequence);
                resourceVersion = await run.Api.WriteAsync(HttpMethod.Put, $"{Collection}/{Target}", update, cancellationToken);
                await Task.WhenAny(allSeen, Task.Delay(DeliveryTimeout, cancellationToken));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(watchers);
        }

        run.Report(Metrics.WatchP50(settings.Watchers), recorder.Percentile(50));
        run.Report(Metrics.WatchP99(settings.Watchers), recorder.Percentile(99));
        run.Report(Metrics.WatchMissed, (long)settings.Watchers * settings.WatchUpdates - counter.Delivered);
    }

    private static async Task WatchAsync(
        HttpClient client, string url, SemaphoreSlim opening, TaskCompletionSource opened, LatencyRecorder recorder, DeliveryCounter counter, CancellationToken stop)
    {
        try
        {
            HttpResponseMessage response;
            await opening.WaitAsync(stop);
            try
            {
                response = Http2.Checked(await client.SendAsync(Http2.Request(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, stop));
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    throw new HttpRequestException($"watch {url}: {(int)response.StatusCode}");
                }
            }
            finally
            {
                opening.Release();
            }

            using (response)
            {
                opened.TrySetResult();
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                while (await reader.ReadLineAsync(stop) is { } line)
                {
                    var arrived = Stopwatch.GetTimestamp();
                    if (SentTimestamp(line) is { } sent)
                    {
                        recorder.Record(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
                        counter.Increment();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The benchmark is over.
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            opened.TrySetException(ex);
        }
    }

    /// <summary>The send timestamp of a MODIFIED event stamped by this benchmark, or null for any other line.</summary>
    /// <remarks>
    /// 1,000 watchers share the 2 cores with the server, so the common case avoids a full JSON
    /// parse: it finds the stamp as the server serializes it and reads the digits. Anything
    /// unexpected falls back to parsing the event properly.
    /// </remarks>
    private static long? SentTimestamp(string line)
    {
        var marker = line.IndexOf(StampPrefix, StringComparison.Ordinal);
        if (marker >= 0 && line.Contains(ModifiedType, StringComparison.Ordinal))
        {
            var digits = line.AsSpan(marker + StampPrefix.Length);
            var end = digits.IndexOf('"');
            if (end > 0 && long.TryParse(digits[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var stamp))
            {
                return stamp;
            }
        }

        return ParseSentTimestamp(line);
    }

    private static long? ParseSentTimestamp(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.GetProperty("type").GetString() != "MODIFIED"
            || !root.GetProperty("object").GetProperty("metadata").TryGetProperty("annotations", out var annotations)
            || !annotations.TryGetProperty(Manifests.SentAnnotation, out var sent))
        {
            return null;
        }

        return long.Parse(sent.GetString()!, CultureInfo.InvariantCulture);
    }
}
