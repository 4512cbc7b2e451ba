using System.Text.Json.Nodes;
using Stevedore.ApiServer.Patch;
using Stevedore.ApiServer.Serialization;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// Keeps <c>metadata.managedFields</c> up to date on ordinary writes (create, update, patch):
/// the writer takes every field it added or changed, away from any other manager, and fields
/// it removed leave every manager. This is what makes <c>kubectl scale</c> (which takes
/// <c>.spec.replicas</c>) conflict with a later <c>kubectl apply --server-side</c>.
/// </summary>
public static class ManagedFieldsTracker
{
    /// <summary>Sets <c>metadata.managedFields</c> of <paramref name="newObj"/> in place and returns it.</summary>
    /// <param name="oldObj">The stored object before the write; null on create.</param>
    /// <param name="newObj">The object about to be stored. If the client sent managedFields that differ
    /// from the stored ones, they are taken as the starting point; an explicit empty list resets tracking
    /// (writes of the object itself only: through a subresource the stored ones are the starting point).</param>
    /// <param name="operation">"Update" for create/update/patch.</param>
    /// <param name="subresource">"status", "scale"... or null for the main resource.</param>
    /// <param name="modelType">The <c>k8s.Models</c> type; null for custom resources (lists atomic).</param>
    public static JsonObject UpdateForWrite(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string? subresource, Type? modelType, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(newObj);
        ArgumentException.ThrowIfNullOrEmpty(manager);
        ArgumentException.ThrowIfNullOrEmpty(operation);
        try
        {
            return Track(oldObj, newObj, manager, operation, subresource, modelType, now);
        }
        catch (PatchException)
        {
            // An object the schema cannot key (e.g. a map-list item without its key) must still
            // be writable; like upstream, drop managedFields rather than keep wrong ones.
            (newObj["metadata"] as JsonObject)?.Remove("managedFields");
            return newObj;
        }
    }

    private static JsonObject Track(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string? subresource, Type? modelType, DateTimeOffset now)
    {
        // As upstream (decodeLiveOrNew), managedFields sent through a subresource are ignored: only a
        // write of the object itself may reset or rewrite them. That also spares comparing them with
        // the stored ones on every status write and binding.
        var sent = subresource is null ? newObj["metadata"]?["managedFields"] : null;
        if (sent is JsonArray { Count: 0 })
        {
            ((JsonObject)newObj["metadata"]!).Remove("managedFields");
            return newObj;
        }

        var stored = oldObj?["metadata"]?["managedFields"];
        var clientSetThem = sent is JsonArray && !Json.DeepEquals(sent, stored);
        var trackStatus = subresource == "status";
        var (added, modified, removed) = TrackedFields.Diff(oldObj, newObj, modelType, trackStatus);
        var changed = added.Union(modified);
        var apiVersion = Ownership.Text(newObj, "apiVersion");
        if (!clientSetThem && OwnershipUnchanged(stored, changed, removed, manager, operation, subresource, apiVersion))
        {
            // Most writes (status heartbeats, lease renewals, controllers' status) only change values
            // the writer already owns: no manager gains or loses a field, so the stored entries stand
            // as they are, times included, without being parsed and written again.
            KeepStored(newObj, stored);
            return newObj;
        }

        if (clientSetThem)
        {
            UpdateEntries(ManagerEntry.Read(newObj), changed, removed, manager, operation, subresource, apiVersion, now, newObj);
            return newObj;
        }

        // The stored entries: only those that lose or gain fields are parsed and written anew.
        var entries = ManagerEntry.ReadStored(oldObj);
        var self = FindSelf(entries, manager, operation, subresource, apiVersion);
        foreach (var other in entries)
        {
            if (!ReferenceEquals(other, self) && (other.OwnsAny(changed) || other.OwnsAny(removed)))
            {
                // It owned one of them, so its set changes and so does its time.
                other.Fields = other.Fields.Except(changed).Except(removed);
                other.Time = now;
            }
        }

        if (self is null)
        {
            self = new ManagerEntry { Manager = manager, Operation = operation, Subresource = subresource, ApiVersion = apiVersion, Fields = new FieldSet() };
            entries.Add(self);
        }

        var owned = self.Fields;
        self.Fields = owned.Except(removed).Union(changed);
        if (self.Time is null || !owned.SetEquals(self.Fields))
        {
            self.Time = now;
        }

        foreach (var entry in entries)
        {
            entry.Time ??= now;
        }

        ManagerEntry.Write(newObj, entries);
        return newObj;
    }

    /// <summary>The general update of every entry, for entries the client sent (in whatever spelling).</summary>
    private static void UpdateEntries(List<ManagerEntry> entries, FieldSet changed, FieldSet removed, string manager, string operation, string? subresource, string? apiVersion, DateTimeOffset now, JsonObject newObj)
    {
        var previous = Ownership.Snapshot(entries);
        var self = FindSelf(entries, manager, operation, subresource, apiVersion);
        foreach (var other in entries.Where(e => !ReferenceEquals(e, self)))
        {
            other.Fields = other.Fields.Except(changed).Except(removed);
        }

        if (self is null)
        {
            self = new ManagerEntry { Manager = manager, Operation = operation, Subresource = subresource, ApiVersion = apiVersion, Fields = new FieldSet() };
            entries.Add(self);
        }

        self.Fields = self.Fields.Except(removed).Union(changed);
        Ownership.Stamp(entries, previous, now);
        ManagerEntry.Write(newObj, entries);
    }

    private static ManagerEntry? FindSelf(List<ManagerEntry> entries, string manager, string operation, string? subresource, string? apiVersion) =>
        entries.Find(e => e.Manager == manager && e.Operation == operation && e.Subresource == subresource
            && (operation == ManagerEntry.ApplyOperation || e.ApiVersion == apiVersion));

    /// <summary>
    /// True when the stored entries (as this tracker wrote them) already say what the full update
    /// would: the writer's entry owns every changed field and none of the removed ones, and no
    /// other entry owns any of them. Anything unusual (entries without a time, other field types)
    /// answers false, so the full path decides.
    /// </summary>
    private static bool OwnershipUnchanged(JsonNode? stored, FieldSet changed, FieldSet removed, string manager, string operation, string? subresource, string? apiVersion)
    {
        if (changed.IsEmpty && removed.IsEmpty)
        {
            return true;
        }

        if (stored is not JsonArray entries)
        {
            return false;
        }

        JsonObject? self = null;
        var others = new List<JsonObject>(entries.Count);
        foreach (var node in entries)
        {
            if (node is not JsonObject entry
                || Ownership.Text(entry, "fieldsType") is not (null or "FieldsV1")
                || Ownership.Text(entry, "manager") is not { } entryManager
                || Ownership.Text(entry, "time") is null
                || entry["fieldsV1"] is not JsonObject fields)
            {
                return false;
            }

            var entryOperation = Ownership.Text(entry, "operation") ?? ManagerEntry.UpdateOperation;
            var entrySubresource = Ownership.Text(entry, "subresource") is { Length: > 0 } sub ? sub : null;
            if (self is null && entryManager == manager && entryOperation == operation && entrySubresource == subresource
                && (operation == ManagerEntry.ApplyOperation || Ownership.Text(entry, "apiVersion") == apiVersion))
            {
                self = fields;
            }
            else
            {
                others.Add(fields);
            }
        }

        if (self is null)
        {
            return false;
        }

        foreach (var path in changed)
        {
            if (!FieldSet.TreeContains(self, path) || others.Exists(o => FieldSet.TreeContains(o, path)))
            {
                return false;
            }
        }

        foreach (var path in removed)
        {
            if (FieldSet.TreeContains(self, path) || others.Exists(o => FieldSet.TreeContains(o, path)))
            {
                return false;
            }
        }

        return true;
    }

    private static void KeepStored(JsonObject newObj, JsonNode? stored)
    {
        if (newObj["metadata"] is not JsonObject metadata)
        {
            if (stored is null)
            {
                return;
            }

            newObj["metadata"] = metadata = [];
        }

        if (stored is null)
        {
            metadata.Remove("managedFields");
        }
        else if (!Json.DeepEquals(metadata["managedFields"], stored))
        {
            metadata["managedFields"] = stored.DeepClone();
        }
    }

    /// <summary>As above, with the model type found from the object's apiVersion and kind among the built-in resources.</summary>
    public static JsonObject UpdateForWrite(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string? subresource, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(newObj);
        return UpdateForWrite(oldObj, newObj, manager, operation, subresource, Ownership.BuiltInModelOf(newObj), now);
    }
}
