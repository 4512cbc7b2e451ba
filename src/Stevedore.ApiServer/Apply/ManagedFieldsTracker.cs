using System.Text.Json.Nodes;
using Stevedore.ApiServer.Patch;

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
    /// from the stored ones, they are taken as the starting point; an explicit empty list resets tracking.</param>
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

        var sent = newObj["metadata"]?["managedFields"];
        if (sent is JsonArray { Count: 0 })
        {
            ((JsonObject)newObj["metadata"]!).Remove("managedFields");
            return newObj;
        }

        var clientSetThem = sent is JsonArray && !JsonNode.DeepEquals(sent, oldObj?["metadata"]?["managedFields"]);
        var entries = ManagerEntry.Read(clientSetThem ? newObj : oldObj);
        var previous = Ownership.Snapshot(entries);
        var trackStatus = subresource == "status";

        var (added, modified, removed) = TrackedFields.Compare(
            TrackedFields.Collect(oldObj, modelType, trackStatus),
            TrackedFields.Collect(newObj, modelType, trackStatus));
        var changed = added.Union(modified);

        var apiVersion = Ownership.Text(newObj, "apiVersion");
        var self = entries.Find(e => e.Manager == manager && e.Operation == operation && e.Subresource == subresource
            && (operation == ManagerEntry.ApplyOperation || e.ApiVersion == apiVersion));
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
        return newObj;
    }

    /// <summary>As above, with the model type found from the object's apiVersion and kind among the built-in resources.</summary>
    public static JsonObject UpdateForWrite(JsonObject? oldObj, JsonObject newObj, string manager, string operation, string? subresource, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(newObj);
        return UpdateForWrite(oldObj, newObj, manager, operation, subresource, Ownership.BuiltInModelOf(newObj), now);
    }
}
