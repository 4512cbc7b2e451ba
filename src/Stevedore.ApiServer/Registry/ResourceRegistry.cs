using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Serialization;
using Stevedore.ApiServer.Watch;
using Stevedore.Storage;

namespace Stevedore.ApiServer.Registry;

/// <summary>
/// Create, read, update and delete of stored objects for every resource, with the API's
/// object-meta rules (uid, generateName, generation, resourceVersion preconditions,
/// finalizers and deletionTimestamp). Nothing is written unless every check passed.
/// </summary>
public sealed partial class ResourceRegistry(ResourceCatalog catalog, IStore store, CacheDispatcher caches, IObjectPolicy policy, IPatchEngine patches)
{
    private const int MaxUpdateAttempts = 16;

    private readonly ApiResource _namespaces = catalog.Find("", "v1", "namespaces")!;

    public ResourceCatalog Catalog { get; } = catalog;
    public IStore Store { get; } = store;
    public CacheDispatcher Caches { get; } = caches;
    public IObjectPolicy Policy { get; } = policy;
    public IPatchEngine Patches { get; } = patches;

    /// <summary>Mutating admission plugins run on every create, after defaulting and before validation.</summary>
    public IReadOnlyList<Admission.IAdmissionPlugin> Admission { get; internal set; } = [];

    /// <summary>Reads one object from the store (a consistent read) with its resourceVersion set.</summary>
    public async Task<JsonObject> GetAsync(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        var kv = await Store.GetAsync(ObjectKeys.For(resource, ns, name), cancellationToken)
            ?? throw ApiException.NotFound(resource.Group, resource.Plural, name);
        return Decode(kv);
    }

    public static JsonObject Decode(KeyValue kv)
    {
        var obj = Json.ParseObject(kv.Value.Span);
        Json.Metadata(obj)["resourceVersion"] = kv.ModRevision.ToString(CultureInfo.InvariantCulture);
        return obj;
    }

    private static byte[] Encode(JsonObject obj)
    {
        // The resourceVersion is the store's mod revision; it is never stored inside the object.
        var meta = Json.Metadata(obj);
        var rv = meta["resourceVersion"];
        meta.Remove("resourceVersion");
        var bytes = Json.Serialize(obj);
        if (rv is not null)
        {
            meta["resourceVersion"] = rv.DeepClone();
        }

        return bytes;
    }

    private static void SetResourceVersion(JsonObject obj, long revision) =>
        Json.Metadata(obj)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sets apiVersion and kind, refusing a body of another kind.</summary>
    public static void CheckTypeMeta(ApiResource resource, JsonObject obj)
    {
        var apiVersion = Json.GetString(obj, "apiVersion");
        var kind = Json.GetString(obj, "kind");
        if (!string.IsNullOrEmpty(kind) && kind != resource.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind}) of {ApiException.Qualified(resource.Group, resource.Plural)}");
        }

        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != resource.GroupVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.GroupVersion})");
        }

        // Keep apiVersion and kind first, as every Kubernetes object prints them; moved in place,
        // the rest of the object untouched (this runs on every write).
        if (apiVersion == resource.GroupVersion && kind == resource.Kind && obj.Count >= 2
            && obj.GetAt(0).Key == "apiVersion" && obj.GetAt(1).Key == "kind")
        {
            return;
        }

        obj.Remove("apiVersion");
        obj.Remove("kind");
        obj.Insert(0, "apiVersion", resource.GroupVersion);
        obj.Insert(1, "kind", resource.Kind);
    }

    /// <summary>Creates an object; returns it as stored (or as it would be, on dry run).</summary>
    public async Task<JsonObject> CreateAsync(ApiResource resource, string? ns, JsonObject obj, WriteOptions options, CancellationToken cancellationToken, string operation = "Update")
    {
        CheckTypeMeta(resource, obj);
        var meta = Json.Metadata(obj);
        NormalizeNamespace(resource, ns, meta);
        ns = resource.Namespaced ? Json.GetString(meta, "namespace") : null;
        if (resource.Namespaced)
        {
            await CheckNamespaceAcceptsAsync(resource, ns!, Json.GetString(meta, "name") is { Length: > 0 } named ? named
                : Json.GetString(meta, "generateName") is { Length: > 0 } prefix ? prefix : "Unknown", cancellationToken);
        }

        var generateName = Json.GetString(meta, "generateName");
        var name = Json.GetString(meta, "name");
        var generated = string.IsNullOrEmpty(name) && !string.IsNullOrEmpty(generateName);
        if (generated)
        {
            meta["name"] = generateName + RandomSuffix();
        }

        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("selfLink");
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = FormatTime(options.Now);
        if (ResourceStrategies.HasGeneration(resource))
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        ResourceStrategies.Normalize(resource, obj);
        ResourceStrategies.PrepareForCreate(resource, obj, options.User);
        Policy.ApplyDefaults(resource, obj);
        // Built-in steps first (NamespaceLifecycle, DefaultTolerationSeconds), then the configured plugins.
        ResourceStrategies.Admit(resource, obj, options.Subresource);

        foreach (var plugin in Admission)
        {
            await plugin.AdmitCreateAsync(resource, ns, obj, options, cancellationToken);
        }

        var causes = Policy.ValidateCreate(resource, obj);
        if (causes.Count > 0)
        {
            throw ApiException.Invalid(QualifiedKind(resource), resource.Kind, resource.Group, Json.GetString(meta, "name") ?? "", causes);
        }

        if (operation != "Apply")
        {
            meta.Remove("managedFields");
        }

        Patches.TrackWrite(null, obj, options.FieldManager, operation, options.Subresource, resource, options.Now);
        // After managedFields: allocated values (a Service's cluster IP) are the server's, owned by no manager.
        var allocation = Allocate(resource, obj, null, options);
        try
        {
            var created = await WriteCreateAsync(resource, ns, obj, options, generated ? generateName : null, cancellationToken);
            if (!options.DryRun)
            {
                allocation.Commit(long.Parse(Json.GetString(Json.Metadata(created), "resourceVersion")!, CultureInfo.InvariantCulture));
            }

            return created;
        }
        finally
        {
            allocation.Release();
        }
    }

    private async Task<JsonObject> WriteCreateAsync(ApiResource resource, string? ns, JsonObject obj, WriteOptions options, string? generateName, CancellationToken cancellationToken)
    {
        var meta = Json.Metadata(obj);
        for (var attempt = 0; ; attempt++)
        {
            var name = Json.GetString(meta, "name")!;
            if (options.DryRun)
            {
                if (await Store.GetAsync(ObjectKeys.For(resource, ns, name), cancellationToken) is not null)
                {
                    throw ApiException.AlreadyExists(resource.Group, resource.Plural, name);
                }

                return obj;
            }

            var result = await Store.CreateAsync(ObjectKeys.For(resource, ns, name), Encode(obj), 0, cancellationToken);
            if (result.Succeeded)
            {
                SetResourceVersion(obj, result.Revision);
                return obj;
            }

            if (generateName is null || attempt >= 8)
            {
                throw ApiException.AlreadyExists(resource.Group, resource.Plural, name);
            }

            meta["name"] = generateName + RandomSuffix();
        }
    }

    private static void NormalizeNamespace(ApiResource resource, string? ns, JsonObject meta)
    {
        if (!resource.Namespaced)
        {
            meta.Remove("namespace");
            return;
        }

        var bodyNamespace = Json.GetString(meta, "namespace");
        if (string.IsNullOrEmpty(bodyNamespace))
        {
            meta["namespace"] = ns ?? "default";
        }
        else if (ns is not null && bodyNamespace != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    /// <summary>
    /// NamespaceLifecycle: no new content in a missing or terminating namespace. The refusal names the
    /// object as upstream's admission errors do (its name, else its generateName, else "Unknown").
    /// </summary>
    private async Task CheckNamespaceAcceptsAsync(ApiResource resource, string ns, string objectName, CancellationToken cancellationToken)
    {
        var namespaces = Caches.For(_namespaces);
        // Every create asks: read the one member from the cached bytes, no tree.
        ReadOnlyMemory<byte>? nsJson = null;
        if (namespaces.Get("/registry/namespaces/" + ns) is { } cached)
        {
            nsJson = cached.Json;
        }
        else if (await Store.GetAsync("/registry/namespaces/" + ns, cancellationToken) is { } kv)
        {
            nsJson = kv.Value;
        }

        if (nsJson is not { } json)
        {
            throw ApiException.NotFound("", "namespaces", ns);
        }

        if (IsBeingDeleted(json))
        {
            throw new ApiException(403, "Forbidden",
                $"{ApiException.Qualified(resource.Group, resource.Plural)} \"{objectName}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated")
            {
                DetailsName = objectName,
                DetailsGroup = resource.Group,
                DetailsKind = resource.Plural,
                Causes = [new StatusCause("NamespaceTerminating", $"namespace {ns} is being terminated", "metadata.namespace")],
            };
        }
    }

    /// <summary>Whether the object's <c>metadata.deletionTimestamp</c> is set (not null).</summary>
    private static bool IsBeingDeleted(ReadOnlyMemory<byte> json)
    {
        // Parse over the bytes themselves with pooled bookkeeping: nothing is copied or kept.
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
            && document.RootElement.TryGetProperty("metadata"u8, out var metadata)
            && metadata.ValueKind == System.Text.Json.JsonValueKind.Object
            && metadata.TryGetProperty("deletionTimestamp"u8, out var deletion)
            && deletion.ValueKind != System.Text.Json.JsonValueKind.Null;
    }

    /// <summary>
    /// Read-modify-write with optimistic concurrency: <paramref name="mutate"/> gets the current
    /// object and returns the desired one. A resourceVersion in the desired object is a
    /// precondition (409 when stale); without one, store conflicts are retried.
    /// </summary>
    public async Task<JsonObject> UpdateAsync(ApiResource resource, string? ns, string name, Func<JsonObject, JsonObject> mutate,
        WriteOptions options, string operation, CancellationToken cancellationToken, Func<JsonObject>? createIfMissing = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var kv = await Store.GetAsync(ObjectKeys.For(resource, ns, name), cancellationToken);
            if (kv is null)
            {
                if (createIfMissing is not null)
                {
                    var created = createIfMissing();
                    return await CreateAsync(resource, ns, created, options, cancellationToken, operation);
                }

                throw ApiException.NotFound(resource.Group, resource.Plural, name);
            }

            var current = Decode(kv);
            var desired = mutate((JsonObject)current.DeepClone());
            CheckTypeMeta(resource, desired);
            var meta = Json.Metadata(desired);
            var requestedRv = Json.GetString(meta, "resourceVersion");
            if (!string.IsNullOrEmpty(requestedRv) && requestedRv != kv.ModRevision.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.StaleUpdate(resource.Group, resource.Plural, name);
            }

            var bodyName = Json.GetString(meta, "name");
            if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            NormalizeNamespace(resource, ns, meta);
            var curMeta = Json.Metadata(current);
            meta["name"] = name;
            foreach (var immutable in (string[])["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName"])
            {
                if (curMeta[immutable] is { } value)
                {
                    meta[immutable] = value.DeepClone();
                }
                else
                {
                    meta.Remove(immutable);
                }
            }

            ResourceStrategies.Normalize(resource, desired);
            ResourceStrategies.PrepareForUpdate(resource, desired, current, options.Subresource, options.Now);
            if (ResourceStrategies.HasGeneration(resource))
            {
                var generation = curMeta["generation"]?.GetValue<long>() ?? 1;
                // A status write keeps the stored spec (PrepareForUpdate), so only other writes can move the generation.
                meta["generation"] = options.Subresource != "status" && ResourceStrategies.SpecChanged(desired, current) ? generation + 1 : generation;
            }

            Policy.ApplyDefaults(resource, desired);
            ResourceStrategies.Admit(resource, desired, options.Subresource);
            var causes = Policy.ValidateUpdate(resource, desired, current, options.Subresource);
            if (causes.Count > 0)
            {
                throw ApiException.Invalid(QualifiedKind(resource), resource.Kind, resource.Group, name, causes);
            }

            Patches.TrackWrite(current, desired, options.FieldManager, operation, options.Subresource, resource, options.Now);
            var allocation = Allocate(resource, desired, current, options);
            try
            {
                meta["resourceVersion"] = curMeta["resourceVersion"]?.DeepClone();
                if (JsonNode.DeepEquals(desired, current))
                {
                    // A write that changes nothing keeps the resourceVersion, as upstream does.
                    return current;
                }

                if (options.DryRun)
                {
                    return desired;
                }

                if (ResourceStrategies.ShouldDeleteDuringUpdate(resource, desired, current))
                {
                    // The last finalizer is gone: the object leaves the store now.
                    var deleted = await Store.DeleteAsync(kv.Key, kv.ModRevision, cancellationToken);
                    if (deleted.Succeeded)
                    {
                        SetResourceVersion(desired, deleted.Revision);
                        Removed(resource, current, deleted.Revision);
                        return desired;
                    }
                }
                else
                {
                    var result = await Store.UpdateAsync(kv.Key, Encode(desired), kv.ModRevision, kv.LeaseId, cancellationToken);
                    if (result.Succeeded)
                    {
                        SetResourceVersion(desired, result.Revision);
                        allocation.Commit(result.Revision);
                        return desired;
                    }
                }
            }
            finally
            {
                allocation.Release();
            }

            // Someone wrote in between: read again. A patch re-applies to the new object (as
            // upstream's GuaranteedUpdate); a body that pinned its resourceVersion fails the check
            // above on the next round, because the stored version moved on.
            if (attempt >= MaxUpdateAttempts)
            {
                throw ApiException.StaleUpdate(resource.Group, resource.Plural, name);
            }
        }
    }

    /// <summary>
    /// Deletes an object: immediately when nothing holds it, otherwise by setting
    /// deletionTimestamp and leaving it to finalizers (or to the node, for a running pod).
    /// Returns the object's last state and whether it is gone.
    /// </summary>
    public async Task<(JsonObject Object, bool Deleted)> DeleteAsync(ApiResource resource, string? ns, string name, DeleteOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var kv = await Store.GetAsync(ObjectKeys.For(resource, ns, name), cancellationToken)
                ?? throw ApiException.NotFound(resource.Group, resource.Plural, name);
            var current = Decode(kv);
            var meta = Json.Metadata(current);
            CheckPreconditions(resource, name, options, meta);

            var finalizers = meta["finalizers"] as JsonArray ?? [];
            var changed = false;
            var propagation = options.PropagationPolicy ?? ResourceStrategies.DefaultPropagation(resource, meta);
            if (propagation == "Orphan" && ResourceStrategies.HasDependents(resource))
            {
                changed |= AddFinalizer(finalizers, "orphan");
            }
            else if (propagation == "Foreground")
            {
                changed |= AddFinalizer(finalizers, "foregroundDeletion");
            }

            var grace = ResourceStrategies.GracePeriod(resource, current, options.GracePeriodSeconds);
            var alreadyDeleting = meta["deletionTimestamp"] is not null;
            if (finalizers.Count == 0 && grace <= 0)
            {
                if (options.DryRun)
                {
                    return (current, true);
                }

                var result = await Store.DeleteAsync(kv.Key, kv.ModRevision, cancellationToken);
                if (result.Succeeded)
                {
                    SetResourceVersion(current, result.Revision);
                    Removed(resource, current, result.Revision);
                    return (current, true);
                }

                continue;
            }

            if (alreadyDeleting && !changed && !ShortensGrace(meta, grace))
            {
                return (current, false);
            }

            if (finalizers.Count > 0)
            {
                meta["finalizers"] = finalizers.DeepClone();
            }

            if (!alreadyDeleting || ShortensGrace(meta, grace))
            {
                meta["deletionTimestamp"] = FormatTime(now.AddSeconds(Math.Max(grace, 0)));
                meta["deletionGracePeriodSeconds"] = Math.Max(grace, 0);
            }

            ResourceStrategies.PrepareForGracefulDelete(resource, current);
            if (options.DryRun)
            {
                return (current, false);
            }

            var update = await Store.UpdateAsync(kv.Key, Encode(current), kv.ModRevision, kv.LeaseId, cancellationToken);
            if (update.Succeeded)
            {
                SetResourceVersion(current, update.Revision);
                return (current, false);
            }

            if (attempt >= MaxUpdateAttempts)
            {
                throw ApiException.StaleUpdate(resource.Group, resource.Plural, name);
            }
        }
    }

    private static bool ShortensGrace(JsonObject meta, long grace) =>
        meta["deletionGracePeriodSeconds"] is JsonValue v && v.TryGetValue<long>(out var existing) && grace < existing;

    private static bool AddFinalizer(JsonArray finalizers, string finalizer)
    {
        if (finalizers.Any(f => f?.GetValue<string>() == finalizer))
        {
            return false;
        }

        finalizers.Add(finalizer);
        return true;
    }

    private static void CheckPreconditions(ApiResource resource, string name, DeleteOptions options, JsonObject meta)
    {
        var uid = Json.GetString(meta, "uid");
        if (options.PreconditionUid is not null && options.PreconditionUid != uid)
        {
            throw ApiException.Conflict(resource.Group, resource.Plural, name,
                $"Precondition failed: UID in precondition: {options.PreconditionUid}, UID in object meta: {uid}");
        }

        var rv = Json.GetString(meta, "resourceVersion");
        if (options.PreconditionResourceVersion is not null && options.PreconditionResourceVersion != rv)
        {
            throw ApiException.Conflict(resource.Group, resource.Plural, name,
                $"Precondition failed: ResourceVersion in precondition: {options.PreconditionResourceVersion}, ResourceVersion in object meta: {rv}");
        }
    }

    public static string QualifiedKind(ApiResource resource) => resource.Group.Length == 0 ? resource.Kind : $"{resource.Kind}.{resource.Group}";

    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Five characters from the alphabet upstream uses for generated names (no vowels, no look-alikes).</summary>
    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> chars = stackalloc char[5];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return new string(chars);
    }
}
