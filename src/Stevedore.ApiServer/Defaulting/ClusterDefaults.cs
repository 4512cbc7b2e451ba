using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>Upstream defaults of the kinds outside core, apps and batch.</summary>
internal static class ClusterDefaults
{
    private const string RbacGroup = "rbac.authorization.k8s.io";

    public static void ApplyHorizontalPodAutoscaler(JsonObject hpa)
    {
        var spec = hpa.Ensure("spec");
        spec.Default("minReplicas", 1);
        if (spec.Arr("metrics") is not { Count: > 0 })
        {
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                },
            });
        }

        // Behavior stays absent unless given; a given behavior has every missing rule filled.
        if (spec.Obj("behavior") is { } behavior)
        {
            FillScalingRules(behavior.Ensure("scaleUp"), stabilizationWindowSeconds: 0,
                [Policy("Pods", 4), Policy("Percent", 100)]);
            FillScalingRules(behavior.Ensure("scaleDown"), stabilizationWindowSeconds: 300,
                [Policy("Percent", 100)]);
        }
    }

    private static JsonObject Policy(string type, int value) =>
        new() { ["type"] = type, ["value"] = value, ["periodSeconds"] = 15 };

    private static void FillScalingRules(JsonObject rules, int stabilizationWindowSeconds, JsonObject[] policies)
    {
        rules.Default("stabilizationWindowSeconds", stabilizationWindowSeconds);
        rules.Default("selectPolicy", "Max");
        if (rules.Arr("policies") is not { Count: > 0 })
        {
            rules["policies"] = new JsonArray(policies);
        }
    }

    public static void ApplyPriorityClass(JsonObject priorityClass) =>
        priorityClass.Default("preemptionPolicy", "PreemptLowerPriority");

    public static void ApplyNetworkPolicy(JsonObject policy)
    {
        var spec = policy.Ensure("spec");
        foreach (var rule in spec.Arr("ingress").Objects().Concat(spec.Arr("egress").Objects()))
        {
            foreach (var port in rule.Arr("ports").Objects())
            {
                port.Default("protocol", "TCP");
            }
        }

        if (spec.Arr("policyTypes") is not { Count: > 0 })
        {
            var types = new JsonArray("Ingress");
            if (spec.Arr("egress") is { Count: > 0 })
            {
                types.Add("Egress");
            }

            spec["policyTypes"] = types;
        }
    }

    public static void ApplyRoleBinding(JsonObject binding)
    {
        binding.Obj("roleRef")?.Default("apiGroup", RbacGroup);
        foreach (var subject in binding.Arr("subjects").Objects())
        {
            if (subject.HasText("apiGroup"))
            {
                continue;
            }

            switch (subject.Str("kind"))
            {
                case "ServiceAccount": subject["apiGroup"] = ""; break;
                case "User" or "Group": subject["apiGroup"] = RbacGroup; break;
            }
        }
    }

    public static void ApplyStorageClass(JsonObject storageClass)
    {
        storageClass.Default("reclaimPolicy", "Delete");
        storageClass.Default("volumeBindingMode", "Immediate");
    }

    public static void ApplyCsiDriver(JsonObject driver)
    {
        var spec = driver.Ensure("spec");
        spec.Default("attachRequired", true);
        spec.Default("podInfoOnMount", false);
        spec.Default("storageCapacity", false);
        spec.Default("requiresRepublish", false);
        spec.Default("fsGroupPolicy", "ReadWriteOnceWithFSType");
        if (spec.Arr("volumeLifecycleModes") is not { Count: > 0 })
        {
            spec["volumeLifecycleModes"] = new JsonArray("Persistent");
        }
    }

    public static void ApplyEndpointSlice(JsonObject slice)
    {
        foreach (var port in slice.Arr("ports").Objects())
        {
            port.Default("name", "");
            port.Default("protocol", "TCP");
        }
    }

    public static void ApplyWebhookConfiguration(JsonObject configuration, bool mutating)
    {
        foreach (var webhook in configuration.Arr("webhooks").Objects())
        {
            webhook.Default("failurePolicy", "Fail");
            webhook.Default("matchPolicy", "Equivalent");
            webhook.Default("namespaceSelector", new JsonObject());
            webhook.Default("objectSelector", new JsonObject());
            webhook.Default("timeoutSeconds", 10);
            if (mutating)
            {
                webhook.Default("reinvocationPolicy", "Never");
            }

            webhook.Obj("clientConfig").Obj("service")?.Default("port", 443);
            foreach (var rule in webhook.Arr("rules").Objects())
            {
                rule.Default("scope", "*");
            }
        }
    }

    public static void ApplyCustomResourceDefinition(JsonObject crd)
    {
        var spec = crd.Ensure("spec");
        var conversion = spec.Ensure("conversion");
        conversion.Default("strategy", "None");
        conversion.Obj("webhook").Obj("clientConfig").Obj("service")?.Default("port", 443);
        var names = spec.Ensure("names");
        if (names.Str("kind") is { Length: > 0 } kind)
        {
            names.Default("listKind", kind + "List");
            names.Default("singular", kind.ToLowerInvariant());
        }
    }
}
