using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Stevedore.ApiServer.Registry;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Http;

public sealed partial class ApiHandler
{
    private const string ApplyPatchType = "application/apply-patch+yaml";

    private WriteOptions WriteOptionsFor(HttpContext context, string defaultManagerSuffix, string? subresource)
    {
        var query = context.Request.Query;
        var dryRun = query["dryRun"].ToString();
        if (dryRun.Length > 0 && dryRun != "All")
        {
            throw ApiException.BadRequest($"Unsupported value: \"{dryRun}\": supported values: \"All\"");
        }

        var manager = query["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            // Upstream names an anonymous writer after its user agent's program name.
            var agent = context.Request.Headers.UserAgent.ToString();
            var slash = agent.IndexOf('/', StringComparison.Ordinal);
            manager = slash > 0 ? agent[..slash] : agent.Length > 0 ? agent : "unknown";
            _ = defaultManagerSuffix;
        }

        if (manager.Length > 128)
        {
            throw ApiException.BadRequest("fieldManager: Too long: may not be longer than 128");
        }

        return new WriteOptions(manager, dryRun == "All", Now, subresource) { User = context.Items[typeof(UserInfo)] as UserInfo };
    }

    /// <summary>Applies the fieldValidation directive: Strict rejects unknown fields, Warn reports them.</summary>
    /// <param name="json">The same object as JSON text when the request sent it so (searched without walking <paramref name="obj"/>).</param>
    private void CheckUnknownFields(HttpContext context, ApiResource resource, JsonObject obj, byte[]? json = null)
    {
        var directive = context.Request.Query["fieldValidation"].ToString();
        if (directive.Length > 0 && directive is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiException.BadRequest($"fieldValidation parameter unsupported: {directive}, must be one of: Ignore, Warn, Strict");
        }

        var unknown = json is null ? _registry.Policy.FindUnknownFields(resource, obj) : _registry.Policy.FindUnknownFields(resource, json);
        if (unknown.Count == 0)
        {
            return;
        }

        if (directive != "Strict")
        {
            // Like decoding into the typed struct upstream: fields the schema lacks are dropped.
            foreach (var path in unknown)
            {
                UnknownFieldPruner.Remove(obj, path);
            }
        }

        if (directive == "Ignore")
        {
            return;
        }

        var messages = unknown.Select(u => $"unknown field \"{u.TrimStart('.')}\"").ToList();
        if (directive == "Strict")
        {
            throw ApiException.BadRequest("strict decoding error: " + string.Join(", ", messages));
        }

        foreach (var m in messages)
        {
            context.Response.Headers.Append("Warning", "299 - \"" + m.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        }
    }

    /// <summary>A copy of a request body without the fields the schema lacks (what <see cref="CheckUnknownFields"/> left of it).</summary>
    private JsonObject PrunedCopy(ApiResource resource, JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        foreach (var path in _registry.Policy.FindUnknownFields(resource, copy))
        {
            UnknownFieldPruner.Remove(copy, path);
        }

        return copy;
    }

    private async Task<JsonObject> ReadObjectAsync(HttpContext context, CancellationToken ct) =>
        (await ReadObjectAndJsonAsync(context, ct)).Object;

    /// <summary>The request's object, and its body when that is the object's JSON text (null for YAML and protobuf).</summary>
    private async Task<(JsonObject Object, byte[]? Json)> ReadObjectAndJsonAsync(HttpContext context, CancellationToken ct)
    {
        var mediaType = RequestBody.MediaType(context.Request);
        if (mediaType.Contains("cbor", StringComparison.Ordinal))
        {
            throw ApiException.UnsupportedMediaType(mediaType);
        }

        var body = await RequestBody.ReadAsync(context.Request, ct);
        if (Protobuf.KubernetesProtobuf.IsProtobuf(mediaType))
        {
            // kubectl 1.32+ sends typed-client bodies as protobuf; everything inside is handled as JSON.
            try
            {
                return (Protobuf.KubernetesProtobuf.DecodeToJson(body), null);
            }
            catch (Protobuf.ProtobufDecodeException ex)
            {
                throw ApiException.BadRequest($"error decoding protobuf request body: {ex.Message}");
            }
        }

        return (RequestBody.DecodeObject(body, mediaType), mediaType.Contains("yaml", StringComparison.Ordinal) ? null : body);
    }

    private async Task CreateAsync(HttpContext context, ApiResource resource, RequestInfo info, UserInfo user, CancellationToken ct)
    {
        var (obj, json) = await ReadObjectAndJsonAsync(context, ct);
        CheckUnknownFields(context, resource, obj, json);
        var options = WriteOptionsFor(context, "create", null);
        var created = await _registry.CreateAsync(resource, info.Namespace, obj, options, ct);
        _ = user;
        await WriteJsonAsync(context, 201, created);
    }

    private async Task ReplaceAsync(HttpContext context, ApiResource resource, RequestInfo info, UserInfo user, string? subresource, CancellationToken ct)
    {
        var (obj, json) = await ReadObjectAndJsonAsync(context, ct);
        // A copy for retries, taken while nothing of the body has been read (so it copies bytes, not
        // a tree): the first attempt writes the request's object itself, a retry after a conflict a
        // fresh copy pruned as the first was.
        var pristine = (JsonObject)obj.DeepClone();
        CheckUnknownFields(context, resource, obj, json);
        var options = WriteOptionsFor(context, "update", subresource);
        var attempts = 0;
        var updated = await _registry.UpdateAsync(resource, info.Namespace, info.Name!, _ => attempts++ == 0 ? obj : PrunedCopy(resource, pristine), options, "Update", ct);
        _ = user;
        await WriteJsonAsync(context, 200, updated);
    }

    private async Task PatchAsync(HttpContext context, ApiResource resource, RequestInfo info, UserInfo user, string? subresource, CancellationToken ct)
    {
        var mediaType = RequestBody.MediaType(context.Request);
        var body = await RequestBody.ReadAsync(context.Request, ct);
        var options = WriteOptionsFor(context, "patch", subresource);
        var force = IsTrue(context.Request.Query["force"]);
        _ = user;
        JsonObject result;
        switch (mediaType)
        {
            case ApplyPatchType:
            {
                if (context.Request.Query["fieldManager"].ToString().Length == 0)
                {
                    throw ApiException.BadRequest("PATCH apply requests must specify fieldManager");
                }

                var applied = RequestBody.DecodeObject(body, "application/yaml");
                CheckUnknownFields(context, resource, applied);
                result = await ApplyAsync(resource, info, applied, force, options, ct);
                break;
            }

            case "application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json":
            {
                if (force)
                {
                    throw ApiException.BadRequest("Forbidden: may not be specified for non-apply patch");
                }

                if (mediaType == "application/strategic-merge-patch+json" && resource.ModelType is null)
                {
                    throw ApiException.UnsupportedMediaType(mediaType);
                }

                var patch = RequestBody.Decode(body, "application/json");
                result = await _registry.UpdateAsync(resource, info.Namespace, info.Name!, current =>
                {
                    JsonObject patched;
                    try
                    {
                        patched = _registry.Patches.Patch(mediaType, current, patch, resource);
                    }
                    catch (ApiException)
                    {
                        throw;
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or System.Text.Json.JsonException)
                    {
                        throw new ApiException(422, "Invalid", ex.Message);
                    }

                    CheckUnknownFields(context, resource, patched);
                    return patched;
                }, options, "Update", ct);
                break;
            }

            default:
                throw ApiException.UnsupportedMediaType(mediaType);
        }

        await WriteJsonAsync(context, 200, result);
    }

    private async Task<JsonObject> ApplyAsync(ApiResource resource, RequestInfo info, JsonObject applied, bool force, WriteOptions options, CancellationToken ct)
    {
        RegistryCheckApplyIdentity(resource, info, applied);
        return await _registry.UpdateAsync(resource, info.Namespace, info.Name!, current =>
        {
            var outcome = _registry.Patches.Apply(current, applied, options.FieldManager, force, resource, options.Now);
            return outcome.Object ?? throw ConflictFromApply(resource, info.Name!, outcome);
        }, options with { FieldManager = options.FieldManager }, "Apply", ct, createIfMissing: () =>
        {
            var outcome = _registry.Patches.Apply(null, applied, options.FieldManager, force, resource, options.Now);
            return outcome.Object ?? throw ConflictFromApply(resource, info.Name!, outcome);
        });
    }

    private static void RegistryCheckApplyIdentity(ApiResource resource, RequestInfo info, JsonObject applied)
    {
        var name = applied["metadata"]?["name"]?.ToString();
        if (name is not null && name != info.Name)
        {
            throw ApiException.BadRequest($"the name of the object ({name}) does not match the name on the URL ({info.Name})");
        }

        var apiVersion = Json.GetString(applied, "apiVersion");
        var kind = Json.GetString(applied, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            throw ApiException.BadRequest("apiVersion and kind are required in an apply patch");
        }
    }

    private static ApiException ConflictFromApply(ApiResource resource, string name, ApplyResult outcome) =>
        new(409, "Conflict", outcome.ConflictSummary ?? "Apply failed with conflicts")
        {
            DetailsName = name,
            DetailsGroup = resource.Group,
            DetailsKind = resource.Plural,
            Causes = [.. outcome.ConflictMessages.Select(m =>
            {
                var colon = m.LastIndexOf(": ", StringComparison.Ordinal);
                return colon > 0 ? new StatusCause("FieldManagerConflict", m[..colon], m[(colon + 2)..]) : new StatusCause("FieldManagerConflict", m, null);
            })],
        };

    private async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpContext context, CancellationToken ct)
    {
        var query = context.Request.Query;
        long? grace = long.TryParse(query["gracePeriodSeconds"], out var g) ? g : null;
        string? propagation = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null;
        var dryRun = query["dryRun"].ToString() == "All";
        string? uid = null, rv = null;
        if (query.TryGetValue("orphanDependents", out var orphan) && propagation is null)
        {
            propagation = IsTrue(orphan) ? "Orphan" : "Background";
        }

        var body = await RequestBody.ReadAsync(context.Request, ct);
        if (body.Length > 0)
        {
            var options = RequestBody.DecodeObject(body, RequestBody.MediaType(context.Request));
            if (options["gracePeriodSeconds"] is JsonValue gv && gv.TryGetValue<long>(out var bodyGrace))
            {
                grace = bodyGrace;
            }

            propagation = Json.GetString(options, "propagationPolicy") ?? propagation;
            if (options["orphanDependents"] is JsonValue ov && ov.TryGetValue<bool>(out var orphanBody) && Json.GetString(options, "propagationPolicy") is null)
            {
                propagation = orphanBody ? "Orphan" : "Background";
            }

            uid = options["preconditions"]?["uid"]?.ToString();
            rv = options["preconditions"]?["resourceVersion"]?.ToString();
            dryRun |= options["dryRun"] is JsonArray d && d.Any(x => x?.ToString() == "All");
        }

        if (propagation is not null and not ("Orphan" or "Background" or "Foreground"))
        {
            throw ApiException.BadRequest($"propagationPolicy: Unsupported value: \"{propagation}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        if (grace < 0)
        {
            grace = 0;
        }

        return new DeleteOptions(grace, propagation, uid, rv, dryRun);
    }

    private async Task DeleteAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        var options = await ReadDeleteOptionsAsync(context, ct);
        var (obj, deleted) = await _registry.DeleteAsync(resource, info.Namespace, info.Name!, options, Now, ct);
        var code = deleted ? 200 : 202;
        if (resource.Kind is "Pod" or "Namespace" or "Service" or "Node" || !deleted)
        {
            await WriteJsonAsync(context, code, obj);
            return;
        }

        await WriteJsonAsync(context, code, SuccessStatus(info.Name!, resource.Group, resource.Plural, obj["metadata"]?["uid"]?.ToString()));
    }

    private async Task DeleteCollectionAsync(HttpContext context, ApiResource resource, RequestInfo info, CancellationToken ct)
    {
        if (!resource.Verbs.Contains("deletecollection"))
        {
            throw ApiException.MethodNotAllowed();
        }

        var options = await ReadDeleteOptionsAsync(context, ct);
        var (filter, _) = BuildFilter(resource, info, context.Request.Query);
        await _registry.Caches.WaitForRevisionAsync(await _registry.Store.GetCurrentRevisionAsync(ct), TimeSpan.FromSeconds(3), ct);
        var items = new JsonArray();
        foreach (var obj in _registry.Caches.For(resource).List(filter))
        {
            try
            {
                var (last, _) = await _registry.DeleteAsync(resource, obj.Namespace, obj.Name, options, Now, ct);
                items.Add(last);
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Deleted by someone else meanwhile: that is the outcome we wanted.
            }
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = resource.ListKind,
            ["apiVersion"] = resource.GroupVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = _registry.Caches.Revision.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    private async Task CreateReviewAsync(HttpContext context, ApiResource resource, RequestInfo info, UserInfo user, CancellationToken ct)
    {
        if (Reviews is null)
        {
            throw ApiException.MethodNotAllowed();
        }

        var request = await ReadObjectAsync(context, ct);
        RegistryCheckKind(resource, request);
        var response = await Reviews.RespondAsync(resource, info.Namespace, request, user, ct);
        await WriteJsonAsync(context, 201, response);
    }

    private static void RegistryCheckKind(ApiResource resource, JsonObject obj) => ResourceRegistry.CheckTypeMeta(resource, obj);
}
