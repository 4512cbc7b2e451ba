using System.Text.Json.Nodes;
using Stevedore.ApiServer.Security.Authentication;
using Stevedore.ApiServer.Security.Authorization;

namespace Stevedore.ApiServer.Security.Reviews;

/// <summary>
/// Answers <c>POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews</c>
/// (<c>kubectl auth can-i --list</c>): the rules that apply to the requesting user in
/// <c>spec.namespace</c>.
/// </summary>
public static class SelfSubjectRulesReviewHandler
{
    public const string Group = "authorization.k8s.io";
    public const string Kind = "SelfSubjectRulesReview";

    public static JsonObject Handle(JsonObject request, UserInfo user, IRuleResolver rules)
    {
        var @namespace = ReviewObjects.Text(request["spec"], "namespace");
        var resolved = rules.RulesFor(user, @namespace);
        var response = ReviewObjects.Respond(request, $"{Group}/v1", Kind);
        var resourceRules = new JsonArray();
        foreach (var rule in resolved.ResourceRules)
        {
            var json = new JsonObject
            {
                ["verbs"] = ReviewObjects.Strings(rule.Verbs),
                ["apiGroups"] = ReviewObjects.Strings(rule.ApiGroups),
                ["resources"] = ReviewObjects.Strings(rule.Resources),
            };
            if (rule.ResourceNames.Count > 0)
            {
                json["resourceNames"] = ReviewObjects.Strings(rule.ResourceNames);
            }

            resourceRules.Add(json);
        }

        var nonResourceRules = new JsonArray();
        foreach (var rule in resolved.NonResourceRules)
        {
            nonResourceRules.Add(new JsonObject
            {
                ["verbs"] = ReviewObjects.Strings(rule.Verbs),
                ["nonResourceURLs"] = ReviewObjects.Strings(rule.NonResourceUrls),
            });
        }

        var status = new JsonObject
        {
            ["resourceRules"] = resourceRules,
            ["nonResourceRules"] = nonResourceRules,
            ["incomplete"] = resolved.Incomplete,
        };
        if (resolved.EvaluationError.Length > 0)
        {
            status["evaluationError"] = resolved.EvaluationError;
        }

        response["status"] = status;
        return response;
    }
}
