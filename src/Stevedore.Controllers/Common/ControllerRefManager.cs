using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Stevedore.Controllers.Common;

/// <summary>
/// Adoption and release of children by controller reference, as upstream ClaimObjects:
/// children controlled by someone else are ignored; our children that no longer match are released
/// (unless we are being deleted); matching orphans are adopted (unless we or they are being deleted,
/// or they live in another namespace).
/// </summary>
public static class ControllerRefManager
{
    /// <summary>Sorts <paramref name="candidates"/> for the controller described by <paramref name="controller"/>.</summary>
    public static ClaimPlan<T> Claim<T>(V1ObjectMeta controller, V1LabelSelector? selector, IEnumerable<T> candidates)
        where T : IMetadata<V1ObjectMeta>
    {
        var owned = new List<T>();
        var adopt = new List<T>();
        var release = new List<T>();
        var controllerDeleting = controller.DeletionTimestamp is not null;
        foreach (var child in candidates)
        {
            var meta = child.Metadata;
            var matches = LabelSelectorMatcher.Matches(selector, meta?.Labels);
            var owner = ControllerRef.Of(meta);
            if (owner is not null)
            {
                if (owner.Uid != controller.Uid)
                {
                    continue;
                }

                if (matches)
                {
                    owned.Add(child);
                }
                else if (!controllerDeleting && meta?.DeletionTimestamp is null)
                {
                    release.Add(child);
                }

                continue;
            }

            if (!matches || controllerDeleting || meta?.DeletionTimestamp is not null
                || meta?.NamespaceProperty != controller.NamespaceProperty)
            {
                continue;
            }

            adopt.Add(child);
        }

        return new ClaimPlan<T>(owned, adopt, release);
    }

    /// <summary>Strategic-merge patch that adds <paramref name="controllerRef"/> to the child (uid guards against a recreated child).</summary>
    public static string AdoptPatch(string childUid, V1OwnerReference controllerRef)
    {
        var reference = JsonNode.Parse(KubernetesJson.Serialize(controllerRef))!;
        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["ownerReferences"] = new JsonArray(reference),
                ["uid"] = childUid,
            },
        }.ToJsonString();
    }

    /// <summary>Strategic-merge patch that removes the owner reference with <paramref name="ownerUid"/> from the child.</summary>
    public static string ReleasePatch(string childUid, string ownerUid) => new JsonObject
    {
        ["metadata"] = new JsonObject
        {
            ["ownerReferences"] = new JsonArray(new JsonObject { ["$patch"] = "delete", ["uid"] = ownerUid }),
            ["uid"] = childUid,
        },
    }.ToJsonString();
}
