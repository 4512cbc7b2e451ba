using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;
using Stevedore.ApiServer.Resources;

namespace Stevedore.ApiServer.Tests.Defaulting;

public class DefaulterTests
{
    private static readonly ResourceCatalog Catalog = ResourceCatalog.CreateBuiltIn();

    private const string Pod = """{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],"livenessProbe":{"httpGet":{"port":80}},"env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}],"volumes":[{"name":"scratch"},{"name":"cm","configMap":{"name":"x"}},{"name":"s","secret":{"secretName":"y"}}]}}""";
    private const string Template = """{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"nginx:1.25"}]}}""";

    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        // kind group, kind, input, path, expected JSON at path
        { "", "Pod", Pod, "spec.restartPolicy", "\"Always\"" },
        { "", "Pod", Pod, "spec.terminationGracePeriodSeconds", "30" },
        { "", "Pod", Pod, "spec.dnsPolicy", "\"ClusterFirst\"" },
        { "", "Pod", Pod, "spec.schedulerName", "\"default-scheduler\"" },
        { "", "Pod", Pod, "spec.securityContext", "{}" },
        { "", "Pod", Pod, "spec.enableServiceLinks", "true" },
        { "", "Pod", Pod, "spec.preemptionPolicy", "\"PreemptLowerPriority\"" },
        { "", "Pod", Pod, "spec.priority", "0" },
        { "", "Pod", Pod, "spec.containers.0.terminationMessagePath", "\"/dev/termination-log\"" },
        { "", "Pod", Pod, "spec.containers.0.terminationMessagePolicy", "\"File\"" },
        { "", "Pod", Pod, "spec.containers.0.imagePullPolicy", "\"Always\"" },
        { "", "Pod", Pod, "spec.containers.0.resources", "{}" },
        { "", "Pod", Pod, "spec.containers.0.ports.0.protocol", "\"TCP\"" },
        { "", "Pod", Pod, "spec.containers.0.livenessProbe.timeoutSeconds", "1" },
        { "", "Pod", Pod, "spec.containers.0.livenessProbe.periodSeconds", "10" },
        { "", "Pod", Pod, "spec.containers.0.livenessProbe.successThreshold", "1" },
        { "", "Pod", Pod, "spec.containers.0.livenessProbe.failureThreshold", "3" },
        { "", "Pod", Pod, "spec.containers.0.livenessProbe.httpGet.scheme", "\"HTTP\"" },
        { "", "Pod", Pod, "spec.containers.0.livenessProbe.httpGet.path", "\"/\"" },
        { "", "Pod", Pod, "spec.containers.0.env.0.valueFrom.fieldRef.apiVersion", "\"v1\"" },
        { "", "Pod", Pod, "spec.volumes.0.emptyDir", "{}" },
        { "", "Pod", Pod, "spec.volumes.1.configMap.defaultMode", "420" },
        { "", "Pod", Pod, "spec.volumes.2.secret.defaultMode", "420" },
        { "", "Pod", """{"spec":{"restartPolicy":"Never","containers":[]}}""", "spec.restartPolicy", "\"Never\"" },
        { "", "Pod", """{"spec":{"containers":[{"name":"c","image":"x","resources":{"limits":{"cpu":"1"}}}]}}""", "spec.containers.0.resources.requests.cpu", "\"1\"" },
        { "apps", "Deployment", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.replicas", "1" },
        { "apps", "Deployment", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.strategy", """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}""" },
        { "apps", "Deployment", """{"spec":{"strategy":{"type":"Recreate"}}}""", "spec.strategy", """{"type":"Recreate"}""" },
        { "apps", "Deployment", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.revisionHistoryLimit", "10" },
        { "apps", "Deployment", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.progressDeadlineSeconds", "600" },
        { "apps", "Deployment", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.template.spec.restartPolicy", "\"Always\"" },
        { "apps", "Deployment", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.template.spec.containers.0.imagePullPolicy", "\"IfNotPresent\"" },
        { "apps", "ReplicaSet", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.replicas", "1" },
        { "", "ReplicationController", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.selector", """{"app":"a"}""" },
        { "", "ReplicationController", $$$"""{"spec":{"template":{{{Template}}}}}""", "metadata.labels", """{"app":"a"}""" },
        { "", "PodTemplate", $$$"""{"template":{{{Template}}}}""", "template.spec.schedulerName", "\"default-scheduler\"" },
        { "apps", "StatefulSet", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.podManagementPolicy", "\"OrderedReady\"" },
        { "apps", "StatefulSet", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.updateStrategy", """{"type":"RollingUpdate","rollingUpdate":{"partition":0}}""" },
        { "apps", "StatefulSet", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.persistentVolumeClaimRetentionPolicy", """{"whenDeleted":"Retain","whenScaled":"Retain"}""" },
        { "apps", "StatefulSet", """{"spec":{"volumeClaimTemplates":[{"spec":{}}]}}""", "spec.volumeClaimTemplates.0.spec.volumeMode", "\"Filesystem\"" },
        { "apps", "DaemonSet", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.updateStrategy", """{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}}""" },
        { "apps", "DaemonSet", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.revisionHistoryLimit", "10" },
        { "batch", "Job", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.completions", "1" },
        { "batch", "Job", $$$"""{"spec":{"parallelism":3,"template":{{{Template}}}}}""", "spec.completions", "null" },
        { "batch", "Job", $$$"""{"spec":{"completions":5,"template":{{{Template}}}}}""", "spec.parallelism", "1" },
        { "batch", "Job", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.backoffLimit", "6" },
        { "batch", "Job", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.completionMode", "\"NonIndexed\"" },
        { "batch", "Job", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.suspend", "false" },
        { "batch", "Job", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.manualSelector", "false" },
        { "batch", "Job", $$$"""{"spec":{"template":{{{Template}}}}}""", "spec.podReplacementPolicy", "\"TerminatingOrFailed\"" },
        { "batch", "Job", $$$"""{"spec":{"template":{{{Template}}}}}""", "metadata.labels", """{"app":"a"}""" },
        { "batch", "CronJob", CronJobWith(Template), "spec.concurrencyPolicy", "\"Allow\"" },
        { "batch", "CronJob", "{}", "spec.suspend", "false" },
        { "batch", "CronJob", "{}", "spec.successfulJobsHistoryLimit", "3" },
        { "batch", "CronJob", "{}", "spec.failedJobsHistoryLimit", "1" },
        { "batch", "CronJob", CronJobWith(Template), "spec.jobTemplate.spec.template.spec.dnsPolicy", "\"ClusterFirst\"" },
        { "batch", "CronJob", CronJobWith(Template), "spec.jobTemplate.spec.backoffLimit", "null" },
        { "", "Service", """{"spec":{"ports":[{"port":80}]}}""", "spec.type", "\"ClusterIP\"" },
        { "", "Service", """{"spec":{"ports":[{"port":80}]}}""", "spec.sessionAffinity", "\"None\"" },
        { "", "Service", """{"spec":{"ports":[{"port":80}]}}""", "spec.ports.0", """{"port":80,"protocol":"TCP","targetPort":80}""" },
        { "", "Service", """{"spec":{"ports":[{"port":80,"targetPort":"http"}]}}""", "spec.ports.0.targetPort", "\"http\"" },
        { "", "Service", """{"spec":{"ports":[{"port":80}]}}""", "spec.internalTrafficPolicy", "\"Cluster\"" },
        { "", "Service", """{"spec":{"ports":[{"port":80}]}}""", "spec.externalTrafficPolicy", "null" },
        { "", "Service", """{"spec":{"type":"NodePort","ports":[{"port":80}]}}""", "spec.externalTrafficPolicy", "\"Cluster\"" },
        { "", "Service", """{"spec":{"type":"LoadBalancer","ports":[{"port":80}]}}""", "spec.allocateLoadBalancerNodePorts", "true" },
        { "", "Service", """{"spec":{"ports":[{"port":80}]}}""", "spec.ipFamilyPolicy", "\"SingleStack\"" },
        { "", "Service", """{"spec":{"ports":[{"port":80}]}}""", "spec.ipFamilies", """["IPv4"]""" },
        { "", "Service", """{"spec":{"type":"ExternalName","externalName":"x.example.com"}}""", "spec.ipFamilyPolicy", "null" },
        { "", "Service", """{"spec":{"sessionAffinity":"ClientIP","ports":[{"port":80}]}}""", "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "10800" },
        { "", "Namespace", """{"metadata":{"name":"team"}}""", "status.phase", "\"Active\"" },
        { "", "Namespace", """{"metadata":{"name":"team"}}""", "metadata.labels", """{"kubernetes.io/metadata.name":"team"}""" },
        { "", "Secret", "{}", "type", "\"Opaque\"" },
        { "", "Secret", """{"type":"kubernetes.io/tls"}""", "type", "\"kubernetes.io/tls\"" },
        { "", "PersistentVolumeClaim", "{}", "spec.volumeMode", "\"Filesystem\"" },
        { "", "PersistentVolumeClaim", "{}", "status.phase", "\"Pending\"" },
        { "", "PersistentVolume", "{}", "spec.persistentVolumeReclaimPolicy", "\"Retain\"" },
        { "", "LimitRange", """{"spec":{"limits":[{"type":"Container","max":{"cpu":"2"}}]}}""", "spec.limits.0.defaultRequest", """{"cpu":"2"}""" },
        { "autoscaling", "HorizontalPodAutoscaler", "{}", "spec.minReplicas", "1" },
        { "autoscaling", "HorizontalPodAutoscaler", "{}", "spec.metrics.0.resource.target.averageUtilization", "80" },
        { "autoscaling", "HorizontalPodAutoscaler", "{}", "spec.behavior", "null" },
        { "autoscaling", "HorizontalPodAutoscaler", """{"spec":{"behavior":{}}}""", "spec.behavior.scaleDown.stabilizationWindowSeconds", "300" },
        { "autoscaling", "HorizontalPodAutoscaler", """{"spec":{"behavior":{}}}""", "spec.behavior.scaleUp.policies.0", """{"type":"Pods","value":4,"periodSeconds":15}""" },
        { "scheduling.k8s.io", "PriorityClass", """{"value":1000}""", "preemptionPolicy", "\"PreemptLowerPriority\"" },
        { "networking.k8s.io", "NetworkPolicy", """{"spec":{"egress":[{}]}}""", "spec.policyTypes", """["Ingress","Egress"]""" },
        { "rbac.authorization.k8s.io", "RoleBinding", """{"roleRef":{"kind":"Role","name":"r"},"subjects":[{"kind":"User","name":"u"}]}""", "subjects.0.apiGroup", "\"rbac.authorization.k8s.io\"" },
        { "rbac.authorization.k8s.io", "Role", """{"rules":[]}""", "rules", "[]" },
        { "coordination.k8s.io", "Lease", """{"spec":{}}""", "spec", "{}" },
        { "storage.k8s.io", "StorageClass", """{"provisioner":"p"}""", "volumeBindingMode", "\"Immediate\"" },
    };

    private static string CronJobWith(string template) => "{\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":" + template + "}}}}";

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_KindDefaults_FieldHasUpstreamDefault(string group, string kind, string input, string path, string expected)
    {
        var resource = Catalog.All.Single(r => r.Group == group && r.Kind == kind);
        var obj = JsonNode.Parse(input)!.AsObject();

        Defaulter.Apply(resource, obj);

        Assert.Equal(expected, At(obj, path)?.ToJsonString() ?? "null");
    }

    [Theory]
    [InlineData("nginx", "Always")]
    [InlineData("nginx:latest", "Always")]
    [InlineData("nginx:1.25", "IfNotPresent")]
    [InlineData("localhost:5000/nginx", "Always")]
    [InlineData("localhost:5000/nginx:v2", "IfNotPresent")]
    [InlineData("nginx@sha256:0123456789abcdef", "IfNotPresent")]
    public void PullPolicyFor_ImageReference_MatchesUpstream(string image, string expected) =>
        Assert.Equal(expected, PodDefaults.PullPolicyFor(image));

    [Fact]
    public void Apply_ExplicitValues_AreKept()
    {
        var resource = Catalog.FindByKind("apps", "v1", "Deployment")!;
        var obj = JsonNode.Parse("""{"spec":{"replicas":0,"revisionHistoryLimit":2,"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}}""")!.AsObject();

        Defaulter.Apply(resource, obj);

        Assert.Equal("0", At(obj, "spec.replicas")!.ToJsonString());
        Assert.Equal("2", At(obj, "spec.revisionHistoryLimit")!.ToJsonString());
        Assert.Equal("""{"maxSurge":1,"maxUnavailable":"25%"}""", At(obj, "spec.strategy.rollingUpdate")!.ToJsonString());
    }

    [Fact]
    public void ApplyJobSelector_GeneratedSelector_LabelsTemplateAndSelectsUid()
    {
        var job = JsonNode.Parse("""{"metadata":{"name":"pi"},"spec":{"template":{"spec":{"containers":[]}}}}""")!.AsObject();
        Defaulter.Apply(Catalog.FindByKind("batch", "v1", "Job")!, job);

        Defaulter.ApplyJobSelector(job, "u-1");

        Assert.Equal("""{"matchLabels":{"batch.kubernetes.io/controller-uid":"u-1"}}""", At(job, "spec.selector")!.ToJsonString());
        Assert.Equal("""{"batch.kubernetes.io/controller-uid":"u-1","batch.kubernetes.io/job-name":"pi","controller-uid":"u-1","job-name":"pi"}""",
            At(job, "spec.template.metadata.labels")!.ToJsonString());
        Assert.Equal(At(job, "spec.template.metadata.labels")!.ToJsonString(), At(job, "metadata.labels")!.ToJsonString());
    }

    [Fact]
    public void ApplyJobSelector_ManualSelector_LeavesJobAlone()
    {
        var job = JsonNode.Parse("""{"metadata":{"name":"pi"},"spec":{"manualSelector":true,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}}}}}""")!.AsObject();

        Defaulter.ApplyJobSelector(job, "u-1");

        Assert.Equal("""{"a":"b"}""", At(job, "spec.template.metadata.labels")!.ToJsonString());
    }

    /// <summary>Dotted path with numeric segments as array indexes.</summary>
    internal static JsonNode? At(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var segment in path.Split('.'))
        {
            current = current switch
            {
                JsonArray array when int.TryParse(segment, out var i) => i < array.Count ? array[i] : null,
                JsonObject obj => obj[segment],
                _ => null,
            };
        }

        return current;
    }
}
