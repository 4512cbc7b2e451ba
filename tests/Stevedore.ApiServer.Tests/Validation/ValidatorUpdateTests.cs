using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Tests.Validation;

public class ValidatorUpdateTests
{
    private static readonly ResourceCatalog Catalog = ResourceCatalog.CreateBuiltIn();

    private const string Meta = """{"name":"web","namespace":"default","uid":"u-1","creationTimestamp":"2026-01-01T00:00:00Z","resourceVersion":"5"}""";
    private const string Template = """{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}],"tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":10}]}}""";

    private static readonly Dictionary<string, (string Group, string Kind, string Json)> Stored = new()
    {
        ["pod"] = ("", "Pod", """{"metadata":""" + Meta + ""","spec":{"containers":[{"name":"web","image":"nginx:1.25"}],"activeDeadlineSeconds":100,"tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":10}]}}"""),
        ["deploy"] = ("apps", "Deployment", """{"metadata":""" + Meta + ""","spec":{"selector":{"matchLabels":{"app":"web"}},"template":""" + Template + "}}"),
        ["sts"] = ("apps", "StatefulSet", """{"metadata":""" + Meta + ""","spec":{"serviceName":"web","selector":{"matchLabels":{"app":"web"}},"template":""" + Template + "}}"),
        ["ds"] = ("apps", "DaemonSet", """{"metadata":""" + Meta + ""","spec":{"selector":{"matchLabels":{"app":"web"}},"template":""" + Template + "}}"),
        ["svc"] = ("", "Service", """{"metadata":""" + Meta + ""","spec":{"clusterIP":"10.0.0.5","clusterIPs":["10.0.0.5"],"ports":[{"port":80}]}}"""),
        ["cm"] = ("", "ConfigMap", """{"metadata":""" + Meta + ""","immutable":true,"data":{"a":"1"}}"""),
        ["secret"] = ("", "Secret", """{"metadata":""" + Meta + ""","data":{"a":"MQ=="}}"""),
        ["job"] = ("batch", "Job", """{"metadata":""" + Meta + ""","spec":{"manualSelector":true,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}"""),
        ["pvc"] = ("", "PersistentVolumeClaim", """{"metadata":""" + Meta + ""","spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}},"status":{"phase":"Bound"}}"""),
    };

    private static readonly Dictionary<string, Action<JsonObject>> Changes = new()
    {
        ["pod/image"] = o => o["spec"]!["containers"]![0]!["image"] = "nginx:1.26",
        ["pod/deadline-down"] = o => o["spec"]!["activeDeadlineSeconds"] = 50,
        ["pod/deadline-up"] = o => o["spec"]!["activeDeadlineSeconds"] = 200,
        ["pod/add-toleration"] = o => o["spec"]!.AsObject().Arr("tolerations")!.Add(JsonNode.Parse("""{"key":"x","operator":"Exists"}""")),
        ["pod/remove-toleration"] = o => o["spec"]!["tolerations"] = new JsonArray(),
        ["pod/restart"] = o => o["spec"]!["restartPolicy"] = "Never",
        ["pod/add-container"] = o => o["spec"]!.AsObject().Arr("containers")!.Add(JsonNode.Parse("""{"name":"b","image":"x","imagePullPolicy":"Always","terminationMessagePolicy":"File"}""")),
        ["pod/name"] = o => o["metadata"]!["name"] = "other",
        ["pod/uid"] = o => o["metadata"]!["uid"] = "u-2",
        ["pod/omitted-meta"] = o => { o["metadata"]!.AsObject().Remove("uid"); o["metadata"]!.AsObject().Remove("creationTimestamp"); o["metadata"]!.AsObject().Remove("generation"); },
        ["pod/namespace"] = o => o["metadata"]!["namespace"] = "other",
        ["pod/labels"] = o => o["metadata"]!["labels"] = new JsonObject { ["a"] = "b" },
        ["deploy/selector"] = o => { o["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"web2"}}"""); o["spec"]!["template"]!["metadata"]!["labels"] = JsonNode.Parse("""{"app":"web2"}"""); },
        ["deploy/replicas"] = o => o["spec"]!["replicas"] = 5,
        ["ds/selector"] = o => o["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"web","x":"y"}}"""),
        ["sts/service"] = o => o["spec"]!["serviceName"] = "other",
        ["sts/replicas"] = o => o["spec"]!["replicas"] = 3,
        ["svc/clusterip"] = o =>
        {
            o["spec"]!["clusterIP"] = "10.0.0.6";
            o["spec"]!["clusterIPs"] = new JsonArray("10.0.0.6");
        },
        ["svc/port"] = o => o["spec"]!["ports"]![0]!["port"] = 81,
        ["cm/data"] = o => o["data"] = new JsonObject { ["a"] = "2" },
        ["cm/mutable"] = o => o["immutable"] = false,
        ["secret/type"] = o => o["type"] = "kubernetes.io/basic-auth",
        ["job/template"] = o => o["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "busybox:2",
        ["job/selector"] = o => o["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"web","x":"y"}}"""),
        ["pvc/grow"] = o => o["spec"]!["resources"]!["requests"]!["storage"] = "2Gi",
        ["pvc/shrink"] = o => o["spec"]!["resources"]!["requests"]!["storage"] = "500Mi",
        ["pvc/modes"] = o => o["spec"]!["accessModes"] = new JsonArray("ReadWriteMany"),
        ["pvc/bind"] = o => o["spec"]!["volumeName"] = "pv-1",
    };

    public static TheoryData<string, string> Cases => new()
    {
        { "pod/image", "" },
        { "pod/deadline-down", "" },
        { "pod/deadline-up", "spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value" },
        { "pod/add-toleration", "" },
        { "pod/remove-toleration", "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds" },
        { "pod/restart", "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)" },
        { "pod/add-container", "spec.containers: Forbidden: pod updates may not add or remove containers" },
        { "pod/name", "metadata.name: Invalid value: \"other\": field is immutable" },
        { "pod/uid", "metadata.uid: Invalid value: \"u-2\": field is immutable" },
        { "pod/labels", "" },
        { "pod/omitted-meta", "" },
        { "pod/namespace", "metadata.namespace: Invalid value: \"other\": field is immutable" },
        { "deploy/selector", "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable" },
        { "deploy/replicas", "" },
        { "ds/selector", "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"x\":\"y\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable" },
        { "sts/service", "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden" },
        { "sts/replicas", "" },
        { "svc/clusterip", "spec.clusterIPs[0]: Invalid value: []string{\"10.0.0.6\"}: may not change once set" },
        { "svc/port", "" },
        { "cm/data", "data: Forbidden: field is immutable when `immutable` is set" },
        { "cm/mutable", "immutable: Forbidden: field is immutable when `immutable` is set" },
        { "secret/type", "type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable" },
        { "job/template", "spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable" },
        { "job/selector", "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"x\":\"y\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable" },
        { "pvc/grow", "" },
        { "pvc/shrink", "spec.resources.requests.storage: Forbidden: field can not be less than previous value" },
        { "pvc/modes", "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" },
        { "pvc/bind", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ValidateUpdate_Change_AllowedOrReportedAsUpstream(string key, string expected)
    {
        var (group, kind, json) = Stored[key.Split('/')[0]];
        var resource = Catalog.All.Single(r => r.Group == group && r.Kind == kind);
        var oldObj = JsonNode.Parse(json)!.AsObject();
        Defaulter.Apply(resource, oldObj);
        var newObj = (JsonObject)oldObj.DeepClone();
        Changes[key](newObj);

        var errors = Validator.ValidateUpdate(resource, newObj, oldObj).Select(e => e.ToString()).ToList();

        if (expected.Length == 0)
        {
            Assert.Empty(errors);
        }
        else
        {
            // Pod spec errors carry a trailing diff after a newline; compare the upstream part.
            Assert.Contains(expected, errors.Select(e => e.Split('\n')[0]));
        }
    }

    public static TheoryData<string, string> StatusCases => new()
    {
        // Through pods/status the spec is the stored one (the status strategy keeps it), so spec
        // changes are not judged here; only the binding is guarded, as upstream ValidatePodStatusUpdate.
        { "pod/status", "" },
        { "pod/restart", "" },
        { "pod/name", "metadata.name: Invalid value: \"other\": field is immutable" },
        { "pod/node", "status.nodeName: Forbidden: may not be changed directly" },
    };

    [Theory]
    [MemberData(nameof(StatusCases))]
    public void ValidateUpdate_PodStatusSubresource_OnlyStatusRulesApply(string key, string expected)
    {
        var (group, kind, json) = Stored["pod"];
        var resource = Catalog.All.Single(r => r.Group == group && r.Kind == kind);
        var oldObj = JsonNode.Parse(json)!.AsObject();
        Defaulter.Apply(resource, oldObj);
        var newObj = (JsonObject)oldObj.DeepClone();
        Action<JsonObject> change = key switch
        {
            "pod/status" => o => o["status"] = JsonNode.Parse("""{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}"""),
            "pod/node" => o => o["spec"]!["nodeName"] = "node-2",
            _ => Changes[key],
        };
        change(newObj);

        var errors = Validator.ValidateUpdate(resource, newObj, oldObj, "status").Select(e => e.ToString()).ToList();

        if (expected.Length == 0)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(expected, errors);
        }
    }
}
