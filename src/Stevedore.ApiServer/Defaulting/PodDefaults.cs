using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Defaulting;

/// <summary>
/// Upstream's defaults for pod specs (<c>SetDefaults_PodSpec</c>, containers, probes, volumes,
/// field selectors) wherever a pod spec appears, plus the Pod-only ones (<c>SetDefaults_Pod</c>
/// and what the Priority admission plugin fills for a pod without a priority class).
/// </summary>
internal static class PodDefaults
{
    private const int DefaultFileMode = 420; // 0644

    /// <summary>Defaults for a Pod object itself.</summary>
    public static void ApplyPod(JsonObject pod)
    {
        var spec = pod.Ensure("spec");
        ApplyPodSpec(spec);
        spec.Default("enableServiceLinks", true);

        // Pods, not templates: requests fall back to limits so scheduling sees what the container may use.
        foreach (var container in spec.Arr("containers").Objects().Concat(spec.Arr("initContainers").Objects()))
        {
            CopyLimitsToRequests(container);
        }

        if (spec.Bool("hostNetwork") == true)
        {
            foreach (var container in spec.Arr("containers").Objects().Concat(spec.Arr("initContainers").Objects()))
            {
                foreach (var port in container.Arr("ports").Objects())
                {
                    if (port.Int("hostPort") is null or 0 && port.Int("containerPort") is { } containerPort)
                    {
                        port["hostPort"] = containerPort;
                    }
                }
            }
        }

        // The Priority admission plugin resolves these for a pod without a priority class.
        if (!spec.HasText("priorityClassName"))
        {
            spec.Default("priority", 0);
        }

        spec.Default("preemptionPolicy", "PreemptLowerPriority");
    }

    /// <summary>Defaults for a pod template (<c>template</c> of workloads and PodTemplate).</summary>
    public static void ApplyTemplate(JsonObject? template)
    {
        if (template is null)
        {
            return;
        }

        ApplyPodSpec(template.Ensure("spec"));
    }

    public static void ApplyPodSpec(JsonObject spec)
    {
        spec.Default("dnsPolicy", "ClusterFirst");
        spec.Default("restartPolicy", "Always");
        spec.Default("securityContext", new JsonObject());
        spec.Default("terminationGracePeriodSeconds", 30);
        spec.Default("schedulerName", "default-scheduler");

        foreach (var container in spec.Arr("containers").Objects()
                     .Concat(spec.Arr("initContainers").Objects())
                     .Concat(spec.Arr("ephemeralContainers").Objects()))
        {
            ApplyContainer(container);
        }

        foreach (var volume in spec.Arr("volumes").Objects())
        {
            ApplyVolume(volume);
        }
    }

    public static void ApplyContainer(JsonObject container)
    {
        container.Default("terminationMessagePath", "/dev/termination-log");
        container.Default("terminationMessagePolicy", "File");
        if (container.Str("image") is { } image)
        {
            container.Default("imagePullPolicy", PullPolicyFor(image));
        }

        container.Default("resources", new JsonObject());
        foreach (var port in container.Arr("ports").Objects())
        {
            port.Default("protocol", "TCP");
        }

        foreach (var probeName in (string[])["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if (container.Obj(probeName) is { } probe)
            {
                ApplyProbe(probe);
            }
        }

        if (container.Obj("lifecycle") is { } lifecycle)
        {
            ApplyHandler(lifecycle.Obj("postStart"));
            ApplyHandler(lifecycle.Obj("preStop"));
        }

        foreach (var env in container.Arr("env").Objects())
        {
            var valueFrom = env.Obj("valueFrom");
            ApplyFieldRef(valueFrom.Obj("fieldRef"));
            ApplyResourceFieldRef(valueFrom.Obj("resourceFieldRef"));
        }
    }

    /// <summary>Always for <c>:latest</c> or an untagged image, IfNotPresent for any other tag or a digest.</summary>
    public static string PullPolicyFor(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        // The tag follows the last ':' only when that ':' comes after the last '/' (a registry port is not a tag).
        var lastSlash = image.LastIndexOf('/');
        var lastColon = image.LastIndexOf(':');
        var tag = lastColon > lastSlash ? image[(lastColon + 1)..] : "";
        return tag.Length == 0 || tag == "latest" ? "Always" : "IfNotPresent";
    }

    public static void ApplyProbe(JsonObject probe)
    {
        probe.Default("timeoutSeconds", 1);
        probe.Default("periodSeconds", 10);
        probe.Default("successThreshold", 1);
        probe.Default("failureThreshold", 3);
        ApplyHandler(probe);
    }

    private static void ApplyHandler(JsonObject? handler)
    {
        if (handler.Obj("httpGet") is { } httpGet)
        {
            httpGet.Default("path", "/");
            httpGet.Default("scheme", "HTTP");
        }
    }

    public static void ApplyVolume(JsonObject volume)
    {
        if (!volume.Any(p => p.Key != "name" && p.Value is not null))
        {
            volume["emptyDir"] = new JsonObject();
        }

        volume.Obj("configMap")?.Default("defaultMode", DefaultFileMode);
        volume.Obj("secret")?.Default("defaultMode", DefaultFileMode);
        if (volume.Obj("downwardAPI") is { } downward)
        {
            downward.Default("defaultMode", DefaultFileMode);
            ApplyDownwardItems(downward);
        }

        if (volume.Obj("projected") is { } projected)
        {
            projected.Default("defaultMode", DefaultFileMode);
            foreach (var source in projected.Arr("sources").Objects())
            {
                ApplyDownwardItems(source.Obj("downwardAPI"));
                source.Obj("serviceAccountToken")?.Default("expirationSeconds", 3600);
            }
        }

        volume.Obj("hostPath")?.Default("type", JsonValue.Create(""));
        if (volume.Obj("ephemeral").Obj("volumeClaimTemplate").Obj("spec") is { } claimSpec)
        {
            claimSpec.Default("volumeMode", "Filesystem");
        }
    }

    private static void ApplyDownwardItems(JsonObject? downward)
    {
        foreach (var item in downward.Arr("items").Objects())
        {
            ApplyFieldRef(item.Obj("fieldRef"));
            ApplyResourceFieldRef(item.Obj("resourceFieldRef"));
        }
    }

    private static void ApplyFieldRef(JsonObject? fieldRef) => fieldRef?.Default("apiVersion", "v1");

    // The divisor is a non-pointer quantity upstream, so it always serializes (as "0" when unset).
    private static void ApplyResourceFieldRef(JsonObject? resourceFieldRef) => resourceFieldRef?.Default("divisor", "0");

    private static void CopyLimitsToRequests(JsonObject container)
    {
        if (container.Obj("resources") is not { } resources || resources.Obj("limits") is not { Count: > 0 } limits)
        {
            return;
        }

        var requests = resources.Ensure("requests");
        foreach (var (name, value) in limits)
        {
            if (!requests.ContainsKey(name) && value is not null)
            {
                requests[name] = value.DeepClone();
            }
        }
    }
}
