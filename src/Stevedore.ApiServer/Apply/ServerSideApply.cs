using System.Text.Json.Nodes;
using Stevedore.ApiServer.Patch;

namespace Stevedore.ApiServer.Apply;

/// <summary>
/// Server-side apply (<c>PATCH</c> with <c>application/apply-patch+yaml</c>): merges an applied
/// configuration into the live object and keeps <c>metadata.managedFields</c> in the upstream
/// FieldsV1 format. The applier owns exactly the fields of its configuration; fields it owned
/// before and now omits are removed unless another manager owns them too; changing a field
/// another manager owns is a conflict unless forced, which moves the ownership.
/// </summary>
public static class ServerSideApply
{
    /// <summary>The manager that inherits every field of an object that had no managedFields when first applied.</summary>
    public const string BeforeFirstApplyManager = "before-first-apply";

    /// <summary>Applies <paramref name="applied"/> to <paramref name="live"/> (null on create). Inputs are not modified.</summary>
    /// <param name="manager">The field manager (<c>?fieldManager=</c>), e.g. <c>kubectl</c>.</param>
    /// <param name="force">Take fields from other managers instead of reporting conflicts (<c>?force=true</c>).</param>
    /// <param name="modelType">The <c>k8s.Models</c> type; null for custom resources, whose lists are then atomic.</param>
    /// <param name="now">The time recorded for managers whose fields change.</param>
    /// <param name="subresource">"status" when applying to the status subresource; null for the main resource.</param>
    /// <exception cref="PatchException">The configuration lacks apiVersion/kind, or a map-list item lacks its key (BadRequest).</exception>
    public static ApplyOutcome Apply(JsonObject? live, JsonObject applied, string manager, bool force, Type? modelType, DateTimeOffset now, string? subresource = null)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentException.ThrowIfNullOrEmpty(manager);
        var apiVersion = Ownership.Text(applied, "apiVersion") ?? throw new PatchException("apiVersion must be set in an applied configuration", PatchFailure.BadRequest);
        _ = Ownership.Text(applied, "kind") ?? throw new PatchException("kind must be set in an applied configuration", PatchFailure.BadRequest);

        var trackStatus = subresource == "status";
        var entries = ManagerEntry.Read(live);
        var liveClean = WithoutManagedFields(live);
        if (live is not null && entries.Count == 0)
        {
            var existing = TrackedFields.Collect(liveClean, modelType, trackStatus).Set;
            if (!existing.IsEmpty)
            {
                entries.Add(new ManagerEntry
                {
                    Manager = BeforeFirstApplyManager,
                    Operation = ManagerEntry.UpdateOperation,
                    ApiVersion = Ownership.Text(live, "apiVersion") ?? apiVersion,
                    Fields = existing,
                });
            }
        }

        var previous = Ownership.Snapshot(entries);
        var config = Scope(applied, subresource);
        var merged = (JsonObject)StructuredMerge.Merge(liveClean, config, modelType, null)!;

        var self = entries.Find(e => e.Manager == manager && e.Operation == ManagerEntry.ApplyOperation && e.Subresource == subresource);
        var lastSet = self?.Fields;
        if (self is null)
        {
            self = new ManagerEntry { Manager = manager, Operation = ManagerEntry.ApplyOperation, Subresource = subresource, Fields = new FieldSet() };
            entries.Add(self);
        }

        self.ApiVersion = apiVersion;
        self.Fields = TrackedFields.Collect(config, modelType, trackStatus).Set;
        if (lastSet is { IsEmpty: false })
        {
            Prune(merged, lastSet, entries);
        }

        var (added, modified, removed) = TrackedFields.Compare(
            TrackedFields.Collect(liveClean, modelType, trackStatus),
            TrackedFields.Collect(merged, modelType, trackStatus));
        var changed = added.Union(modified);

        var conflicts = entries
            .Where(e => !ReferenceEquals(e, self))
            .SelectMany(e => e.Fields.Intersect(changed).Select(path => (Entry: e, Path: path)))
            .Select(c => new ApplyConflict(c.Entry.Manager, c.Entry.Operation, c.Entry.ApiVersion, c.Entry.Subresource, c.Entry.Display, c.Path.ToString()))
            .OrderBy(c => c.ManagerDisplay, StringComparer.Ordinal)
            .ThenBy(c => c.Path, StringComparer.Ordinal)
            .ToList();
        if (conflicts.Count > 0 && !force)
        {
            return new ApplyOutcome { Conflicts = conflicts };
        }

        foreach (var other in entries.Where(e => !ReferenceEquals(e, self)))
        {
            other.Fields = other.Fields.Except(changed).Except(removed);
        }

        Ownership.Stamp(entries, previous, now);
        ManagerEntry.Write(merged, entries);
        if (live is not null && JsonNode.DeepEquals(live, merged))
        {
            return new ApplyOutcome { Object = (JsonObject)live.DeepClone(), Changed = false };
        }

        return new ApplyOutcome { Object = merged, Changed = true };
    }

    // Removes what the applier owned last time and no longer does, unless someone else owns it
    // or something below it.
    private static void Prune(JsonObject merged, FieldSet lastSet, List<ManagerEntry> entries)
    {
        var owned = new FieldSet(entries.SelectMany(e => e.Fields)).WithAncestors();
        foreach (var path in lastSet.Where(p => !owned.Contains(p)).OrderBy(p => p.Depth))
        {
            FieldRemoval.Remove(merged, path, owned);
        }
    }

    // What of the configuration applies: the main resource ignores status; the status
    // subresource takes only status.
    private static JsonObject Scope(JsonObject applied, string? subresource)
    {
        var config = WithoutManagedFields(applied)!;
        if (subresource == "status")
        {
            foreach (var key in config.Select(p => p.Key).Where(k => k is not ("apiVersion" or "kind" or "metadata" or "status")).ToList())
            {
                config.Remove(key);
            }

            if (config["metadata"] is JsonObject metadata)
            {
                foreach (var key in metadata.Select(p => p.Key).Where(k => k is not ("name" or "namespace")).ToList())
                {
                    metadata.Remove(key);
                }
            }
        }
        else
        {
            config.Remove("status");
        }

        return config;
    }

    private static JsonObject? WithoutManagedFields(JsonObject? obj)
    {
        if (obj?.DeepClone() is not JsonObject copy)
        {
            return null;
        }

        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }
}
