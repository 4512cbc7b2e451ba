using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;

namespace Stevedore.ApiServer.Security.Reviews;

/// <summary>JSON plumbing shared by the review handlers.</summary>
internal static class ReviewObjects
{
    /// <summary>
    /// The response skeleton: the request's apiVersion (so a v1beta1 request gets a v1beta1
    /// answer, which kubectl 1.27 requires), the kind, the request's metadata and spec.
    /// </summary>
    public static JsonObject Respond(JsonObject request, string defaultApiVersion, string kind)
    {
        var apiVersion = request["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s
            : defaultApiVersion;
        var response = new JsonObject
        {
            ["kind"] = kind,
            ["apiVersion"] = apiVersion,
            ["metadata"] = request["metadata"] is JsonObject metadata ? metadata.DeepClone() : new JsonObject(),
        };
        if (request["spec"] is JsonObject spec)
        {
            response["spec"] = spec.DeepClone();
        }

        return response;
    }

    public static string Text(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    /// <summary>The user the way authentication.k8s.io serialises it (<c>username</c>, <c>uid</c>, <c>groups</c>, <c>extra</c>).</summary>
    public static JsonObject UserInfoJson(UserInfo user)
    {
        var json = new JsonObject { ["username"] = user.Name };
        if (!string.IsNullOrEmpty(user.Uid))
        {
            json["uid"] = user.Uid;
        }

        if (user.Groups.Count > 0)
        {
            json["groups"] = Strings(user.Groups);
        }

        if (user.Extra.Count > 0)
        {
            var extra = new JsonObject();
            foreach (var (key, values) in user.Extra)
            {
                extra[key] = Strings(values);
            }

            json["extra"] = extra;
        }

        return json;
    }

    /// <summary>A 422 <c>Invalid</c> Status naming the offending field, as upstream validation does.</summary>
    public static JsonObject Invalid(string group, string kind, string field, string detail)
    {
        var causeMessage = $"Invalid value: \"null\": {detail}";
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"{kind}.{group} \"\" is invalid: {field}: {causeMessage}",
            ["reason"] = "Invalid",
            ["details"] = new JsonObject
            {
                ["group"] = group,
                ["kind"] = kind,
                ["causes"] = new JsonArray(new JsonObject
                {
                    ["reason"] = "FieldValueInvalid",
                    ["message"] = causeMessage,
                    ["field"] = field,
                }),
            },
            ["code"] = 422,
        };
    }

    /// <summary>A 400 <c>BadRequest</c> Status.</summary>
    public static JsonObject BadRequest(string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = "BadRequest",
        ["code"] = 400,
    };
}
