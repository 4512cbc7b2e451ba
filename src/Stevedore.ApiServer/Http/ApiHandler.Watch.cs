using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Watch;

namespace Stevedore.ApiServer.Http;

public sealed partial class ApiHandler
{
    /// <summary>How long a watch with bookmarks may stay silent before a BOOKMARK is sent.</summary>
    private static readonly TimeSpan BookmarkInterval = TimeSpan.FromSeconds(10);

    private async Task WatchAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var query = context.Request.Query;
        var (filter, nameFromFields) = BuildFilter(resource, info, query);
        if (info.Name is not null || nameFromFields is not null)
        {
            filter = filter with { Name = info.Name ?? nameFromFields };
        }

        var rv = query["resourceVersion"].ToString();
        var bookmarks = IsTrue(query["allowWatchBookmarks"]);
        var sendInitialParam = query["sendInitialEvents"].ToString();
        var sendInitialEvents = sendInitialParam == "true";
        if (sendInitialParam.Length > 0 && query["resourceVersionMatch"].ToString() != "NotOlderThan")
        {
            throw new ApiException(422, "Invalid", "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
        }

        var cache = _registry.Caches.For(resource);
        long after;
        var sendInitial = sendInitialEvents || (sendInitialParam.Length == 0 && rv is "" or "0");
        if (rv is "" or "0")
        {
            // "Most recent": make sure the cache has everything committed before this request.
            after = await _registry.Store.GetCurrentRevisionAsync(ct);
            await _registry.Caches.WaitForRevisionAsync(after, TimeSpan.FromSeconds(3), ct);
        }
        else
        {
            after = ParseRevision(rv);
            if (!await _registry.Caches.WaitForRevisionAsync(after, TimeSpan.FromSeconds(3), ct))
            {
                throw ApiException.Timeout($"Too large resource version: {after}, current: {_registry.Caches.Revision}");
            }
        }

        var timeout = int.TryParse(query["timeoutSeconds"], out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(30 + Random.Shared.Next(30));
        var asTable = WantsTable(context, out var includeObject);

        Watcher watcher;
        try
        {
            watcher = cache.Watch(filter, after, sendInitial);
        }
        catch (ApiException ex) when (ex.Code == 410)
        {
            // Upstream answers an expired watch with 200 and a single ERROR event.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            var frame = CachedEvent.BuildFrame(WatchEventKind.Error, Json.Serialize(ex.ToStatus()));
            await context.Response.Body.WriteAsync(frame, ct);
            return;
        }

        using (watcher)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.Headers.CacheControl = "no-cache, private";
            await context.Response.Body.FlushAsync(ct);

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutSource.CancelAfter(timeout);
            var initialPending = sendInitialEvents;
            var tableHeadersSent = false;
            var body = context.Response.Body;
            var lastWrite = Stopwatch.GetTimestamp();
            // One bookmark timer at a time, re-armed only when it fires: a timer armed and disposed on
            // every wake-up put every event of every watcher through the runtime's timer-queue lock,
            // where busy servers queued up.
            Task? bookmarkDue = null;
            try
            {
                while (true)
                {
                    if (initialPending && !watcher.Events.TryPeek(out _))
                    {
                        // Everything queued at start has gone out: tell the client its initial list is complete.
                        initialPending = false;
                        await body.WriteAsync(BookmarkFrame(resource, _registry.Caches.Revision, initialEventsEnd: true), timeoutSource.Token);
                        await body.FlushAsync(timeoutSource.Token);
                        lastWrite = Stopwatch.GetTimestamp();
                    }

                    var wrote = false;
                    while (watcher.Events.TryRead(out var e))
                    {
                        watcher.Consumed();
                        wrote = true;
                        if (asTable)
                        {
                            await body.WriteAsync(TableFrame(resource, e, includeObject, ref tableHeadersSent), timeoutSource.Token);
                        }
                        else
                        {
                            await e.WriteFrameAsync(body, timeoutSource.Token);
                        }

                        if (initialPending && !watcher.Events.TryPeek(out _))
                        {
                            break;
                        }
                    }

                    await body.FlushAsync(timeoutSource.Token);
                    if (wrote)
                    {
                        lastWrite = Stopwatch.GetTimestamp();
                    }

                    if (initialPending)
                    {
                        continue;
                    }

                    var waiting = watcher.Events.WaitToReadAsync(timeoutSource.Token);
                    if (bookmarks && !waiting.IsCompleted)
                    {
                        var ready = waiting.AsTask();
                        while (!ready.IsCompleted)
                        {
                            var silentFor = Stopwatch.GetElapsedTime(lastWrite);
                            if (silentFor >= BookmarkInterval)
                            {
                                await body.WriteAsync(BookmarkFrame(resource, _registry.Caches.Revision, initialEventsEnd: false), timeoutSource.Token);
                                await body.FlushAsync(timeoutSource.Token);
                                lastWrite = Stopwatch.GetTimestamp();
                                continue;
                            }

                            bookmarkDue ??= Task.Delay(BookmarkInterval - silentFor, timeoutSource.Token);
                            if (await Task.WhenAny(ready, bookmarkDue) != ready)
                            {
                                timeoutSource.Token.ThrowIfCancellationRequested();
                                bookmarkDue = null;
                            }
                        }

                        waiting = new ValueTask<bool>(ready);
                    }

                    if (!await waiting)
                    {
                        // Closed: overflowed or the cache was rebuilt. The client re-watches.
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // timeoutSeconds elapsed: end the stream cleanly.
            }
        }
    }

    private static byte[] BookmarkFrame(ApiResource resource, long revision, bool initialEventsEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var obj = new JsonObject { ["kind"] = resource.Kind, ["apiVersion"] = resource.GroupVersion, ["metadata"] = meta };
        return CachedEvent.BuildFrame(WatchEventKind.Bookmark, Json.Serialize(obj));
    }

    private byte[] TableFrame(ApiResource resource, CachedEvent e, string includeObject, ref bool headersSent)
    {
        var table = _tables.ToWatchTable(resource, e.Object.ToJsonObject(), includeObject, Now, withHeaders: !headersSent);
        headersSent = true;
        return CachedEvent.BuildFrame(e.Kind, Json.Serialize(table));
    }
}
