using System.Globalization;
using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Registry;

/// <summary>
/// What a write may change on a CertificateSigningRequest, as upstream's csr strategies: on create the
/// requester's identity (spec.username, uid, groups, extra) comes from authentication, never from the body, and
/// status starts empty (no pre-approved requests). Afterwards the object itself keeps spec and status;
/// <c>/approval</c> changes only status.conditions; <c>/status</c> changes status but keeps the Approved and
/// Denied conditions as they are. Missing condition timestamps are filled in.
/// </summary>
public static class CertificateSigningRequestStrategy
{
    public const string Group = "certificates.k8s.io";

    public static void PrepareForCreate(JsonObject csr, UserInfo? user)
    {
        var spec = csr["spec"] as JsonObject ?? [];
        csr["spec"] = spec;
        foreach (var field in (string[])["username", "uid", "groups", "extra"])
        {
            spec.Remove(field);
        }

        if (user is not null)
        {
            spec["username"] = user.Name;
            if (!string.IsNullOrEmpty(user.Uid))
            {
                spec["uid"] = user.Uid;
            }

            if (user.Groups.Count > 0)
            {
                spec["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode)JsonValue.Create(g))]);
            }

            if (user.Extra.Count > 0)
            {
                var extra = new JsonObject();
                foreach (var (key, values) in user.Extra)
                {
                    extra[key] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
                }

                spec["extra"] = extra;
            }
        }

        csr["status"] = new JsonObject();
    }

    public static void PrepareForUpdate(JsonObject desired, JsonObject current, string? subresource, DateTimeOffset now)
    {
        desired["spec"] = current["spec"]?.DeepClone();
        switch (subresource)
        {
            case "approval":
            {
                FillConditionTimestamps(desired, current, now);
                var conditions = desired["status"]?["conditions"]?.DeepClone();
                var status = current["status"]?.DeepClone() as JsonObject ?? [];
                status.Remove("conditions");
                if (conditions is not null)
                {
                    status["conditions"] = conditions;
                }

                desired["status"] = status;
                return;
            }

            case "status":
                KeepConditions(desired, current, "Approved");
                KeepConditions(desired, current, "Denied");
                FillConditionTimestamps(desired, current, now);
                return;
            default:
                desired["status"] = current["status"]?.DeepClone();
                return;
        }
    }

    /// <summary>
    /// Puts the stored instances of <paramref name="type"/> back in place; when instances were added or removed
    /// they cannot be matched and validation refuses the change instead.
    /// </summary>
    private static void KeepConditions(JsonObject desired, JsonObject current, string type)
    {
        var oldConditions = Conditions(current);
        var newConditions = Conditions(desired);
        var oldIndices = IndicesOf(oldConditions, type);
        var newIndices = IndicesOf(newConditions, type);
        if (oldIndices.Count != newIndices.Count || newConditions is null || oldConditions is null)
        {
            return;
        }

        for (var i = 0; i < oldIndices.Count; i++)
        {
            newConditions[newIndices[i]] = oldConditions[oldIndices[i]]!.DeepClone();
        }
    }

    private static void FillConditionTimestamps(JsonObject desired, JsonObject current, DateTimeOffset now)
    {
        if (Conditions(desired) is not { } conditions)
        {
            return;
        }

        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var previous = Conditions(current)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var condition in conditions.OfType<JsonObject>())
        {
            if (string.IsNullOrEmpty(condition["lastUpdateTime"]?.ToString()))
            {
                condition["lastUpdateTime"] = stamp;
            }

            if (string.IsNullOrEmpty(condition["lastTransitionTime"]?.ToString()))
            {
                // The same type with the same status keeps the time it last changed.
                var same = previous.FirstOrDefault(p => p["type"]?.ToString() == condition["type"]?.ToString()
                    && p["status"]?.ToString() == condition["status"]?.ToString()
                    && !string.IsNullOrEmpty(p["lastTransitionTime"]?.ToString()));
                condition["lastTransitionTime"] = same?["lastTransitionTime"]?.ToString() ?? stamp;
            }
        }
    }

    private static JsonArray? Conditions(JsonObject csr) => csr["status"]?["conditions"] as JsonArray;

    private static List<int> IndicesOf(JsonArray? conditions, string type) =>
        conditions is null ? [] : [.. Enumerable.Range(0, conditions.Count).Where(i => conditions[i]?["type"]?.ToString() == type)];
}
