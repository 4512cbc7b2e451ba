using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Selectors;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Watch;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Http;

public sealed partial class ApiHandler
{
    private async Task HandleResourceAsync(HttpContext context, ApiResource resource, RequestInfo info, UserInfo user, CancellationToken ct)
    {
        var method = context.Request.Method;
        var query = context.Request.Query;
        AuthorizeResource(context, resource, info, user);

        if (resource.IsVirtual)
        {
            if (method != HttpMethods.Post)
            {
                throw ApiException.MethodNotAllowed();
            }

            await CreateReviewAsync(context, resource, info, user, ct);
            return;
        }

        if (info.Subresource is not null)
        {
            await HandleSubresourceAsync(context, resource, info, user, ct);
            return;
        }

        switch (method)
        {
            case "GET" when info.Name is not null:
                await GetAsync(context, resource, info, ct);
                return;
            case "GET" when IsTrue(query["watch"]):
                await WatchAsync(context, resource, info, ct);
                return;
            case "GET":
                await ListAsync(context, resource, info, ct);
                return;
            case "POST" when info.Name is null:
                await CreateAsync(context, resource, info, user, ct);
                return;
            case "PUT" when info.Name is not null:
                await ReplaceAsync(context, resource, info, user, null, ct);
                return;
            case "PATCH" when info.Name is not null:
                await PatchAsync(context, resource, info, user, null, ct);
                return;
            case "DELETE" when info.Name is not null:
                await DeleteAsync(context, resource, info, ct);
                return;
            case "DELETE":
                await DeleteCollectionAsync(context, resource, info, ct);
                return;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    internal static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count > 0 && (value[0] is "true" or "1" or "True");

    private DateTimeOffset Now => _time.GetUtcNow();

    // ---------- reads ----------

    private async Task GetAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var rv = context.Request.Query["resourceVersion"].ToString();
        JsonObject obj;
        if (rv == "0" && _registry.Caches.TryGet(resource, out var cache) && cache.Get(ObjectKeys.For(resource, info.Namespace, info.Name!)) is { } cached)
        {
            obj = cached.ToJsonObject();
        }
        else
        {
            obj = await _registry.GetAsync(resource, info.Namespace, info.Name!, ct);
        }

        if (WantsTable(context, out var includeObject))
        {
            await WriteJsonAsync(context, 200, _tables.ToTable(resource, [obj], null, null, null, includeObject, Now));
            return;
        }

        await WriteJsonAsync(context, 200, obj);
    }

    private bool WantsTable(HttpContext context, out string includeObject)
    {
        includeObject = context.Request.Query["includeObject"].ToString() is { Length: > 0 } io ? io : "Metadata";
        _tables.CheckIncludeObject(includeObject);
        var accept = context.Request.Headers.Accept.ToString();
        foreach (var part in accept.Split(','))
        {
            var a = part.Replace(" ", "", StringComparison.Ordinal);
            if (a.Contains("as=Table", StringComparison.Ordinal) && a.Contains("g=meta.k8s.io", StringComparison.Ordinal))
            {
                return true;
            }

            if (a.StartsWith("application/json", StringComparison.Ordinal) && !a.Contains("as=", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return false;
    }

    private (WatchFilter Filter, string? Name) BuildFilter(ApiResource resource, RequestInfo info, IQueryCollection query)
    {
        LabelSelector labels;
        FieldSelector fields;
        try
        {
            labels = LabelSelector.Parse(query["labelSelector"].ToString());
        }
        catch (FormatException ex)
        {
            throw ApiException.BadRequest($"unable to parse requirement: {ex.Message}");
        }

        try
        {
            fields = FieldSelector.Parse(query["fieldSelector"].ToString());
        }
        catch (FormatException ex)
        {
            throw ApiException.BadRequest(ex.Message);
        }

        foreach (var r in fields.Requirements)
        {
            if (!SelectableFields.IsSupported(resource.Kind, r.Field))
            {
                throw ApiException.BadRequest($"field label not supported: {r.Field}");
            }
        }

        var ns = resource.Namespaced ? info.Namespace : null;
        return (new WatchFilter(ns, labels, fields), fields.RequiredValue("metadata.name"));
    }

    private async Task ListAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var query = context.Request.Query;
        var (filter, _) = BuildFilter(resource, info, query);
        var rv = query["resourceVersion"].ToString();
        var match = query["resourceVersionMatch"].ToString();
        var limit = long.TryParse(query["limit"], out var l) && l > 0 ? l : 0;
        var continueToken = query["continue"].ToString();
        if (continueToken.Length > 0 && rv.Length > 0)
        {
            throw ApiException.BadRequest("specifying resource version is not allowed when using continue");
        }

        List<JsonObject>? objects = null;
        List<CachedObject>? cached = null;
        long listRevision;
        string? nextContinue = null;
        long? remaining = null;

        // The first page (or the whole list) comes from the watch cache; later pages are read from
        // the store at the revision of the first page, so every page belongs to one snapshot.
        var fromCache = continueToken.Length == 0 && match != "Exact";
        if (fromCache)
        {
            var cache = _registry.Caches.For(resource);
            if (rv != "0")
            {
                var required = rv.Length > 0 ? ParseRevision(rv) : await _registry.Store.GetCurrentRevisionAsync(ct);
                if (!await _registry.Caches.WaitForRevisionAsync(required, TimeSpan.FromSeconds(3), ct))
                {
                    throw ApiException.Timeout($"Too large resource version: {required}, current: {_registry.Caches.Revision}");
                }
            }

            listRevision = _registry.Caches.Revision;
            cached = cache.List(filter);
            if (limit > 0 && cached.Count > limit)
            {
                nextContinue = ContinueToken.Encode(listRevision, cached[(int)limit - 1].Key);
                remaining = filter.Labels.IsEmpty && filter.Fields.IsEmpty ? cached.Count - limit : null;
                cached = cached.GetRange(0, (int)limit);
            }
        }
        else
        {
            var revision = 0L;
            string? startAfter = null;
            if (continueToken.Length > 0)
            {
                (revision, startAfter) = ContinueToken.Decode(continueToken);
            }
            else if (rv.Length > 0 && rv != "0")
            {
                revision = ParseRevision(rv);
            }

            objects = [];
            var prefix = ObjectKeys.ListPrefix(resource, filter.Namespace);
            listRevision = revision;
            while (true)
            {
                var page = await _registry.Store.RangeAsync(new RangeRequest(prefix, startAfter, limit == 0 ? 0 : Math.Max(limit - objects.Count, 1) , revision), ct);
                if (revision == 0)
                {
                    revision = page.Revision;
                    listRevision = revision;
                }

                foreach (var kv in page.Items)
                {
                    var obj = CachedObject.FromStored(kv.Key, kv.Value.Span, kv.ModRevision, resource.Kind);
                    startAfter = kv.Key;
                    if (filter.Matches(obj))
                    {
                        objects.Add(obj.ToJsonObject());
                    }
                }

                if (!page.More)
                {
                    break;
                }

                if (limit > 0 && objects.Count >= limit)
                {
                    nextContinue = ContinueToken.Encode(revision, startAfter!);
                    remaining = filter.Labels.IsEmpty && filter.Fields.IsEmpty ? Math.Max(0, page.Count - page.Items.Count) : null;
                    break;
                }
            }
        }

        var listRv = listRevision.ToString(CultureInfo.InvariantCulture);
        if (WantsTable(context, out var includeObject))
        {
            var items = objects ?? cached!.Select(c => c.ToJsonObject()).ToList();
            await WriteJsonAsync(context, 200, _tables.ToTable(resource, items, listRv, nextContinue, remaining, includeObject, Now));
            return;
        }

        await WriteListAsync(context, resource, listRv, nextContinue, remaining, cached?.Select(c => c.Json) ?? objects!.Select(Json.Serialize));
    }

    private static async Task WriteListAsync(HttpContext context, ApiResource resource, string resourceVersion, string? continueToken, long? remaining, IEnumerable<byte[]> items)
    {
        // Lists are assembled from each object's cached bytes; nothing is parsed or re-encoded.
        var meta = new StringBuilder("{\"resourceVersion\":\"").Append(resourceVersion).Append('"');
        if (continueToken is not null)
        {
            meta.Append(",\"continue\":\"").Append(continueToken).Append('"');
        }

        if (remaining is not null)
        {
            meta.Append(",\"remainingItemCount\":").Append(remaining.Value);
        }

        meta.Append('}');
        var head = Encoding.UTF8.GetBytes($"{{\"kind\":\"{resource.ListKind}\",\"apiVersion\":\"{resource.GroupVersion}\",\"metadata\":{meta},\"items\":[");
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var body = context.Response.BodyWriter;
        body.Write(head);
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                body.Write(","u8);
            }

            body.Write(item);
            first = false;
            if (body.UnflushedBytes > 256 * 1024)
            {
                await body.FlushAsync(context.RequestAborted);
            }
        }

        body.Write("]}"u8);
        await body.FlushAsync(context.RequestAborted);
    }

    internal static long ParseRevision(string rv)
    {
        if (!long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            throw ApiException.BadRequest($"invalid resource version: {rv}");
        }

        return revision;
    }
}
