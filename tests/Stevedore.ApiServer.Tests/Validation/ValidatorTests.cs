using System.Text.Json.Nodes;
using Stevedore.ApiServer.Defaulting;
using Stevedore.ApiServer.Resources;
using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Tests.Validation;

public class ValidatorTests
{
    private static readonly ResourceCatalog Catalog = ResourceCatalog.CreateBuiltIn();

    private const string PodSpec = """{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}],"volumeMounts":[{"name":"data","mountPath":"/data"}]}],"volumes":[{"name":"data","emptyDir":{}}]}""";
    private const string Template = """{"metadata":{"labels":{"app":"web"}},"spec":""" + PodSpec + "}";
    private const string WorkloadSpec = """{"selector":{"matchLabels":{"app":"web"}},"template":""" + Template + "}";
    private const string JobTemplate = """{"metadata":{"labels":{"app":"web"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}""";

    /// <summary>A valid, defaulted object of each kind, by case key prefix.</summary>
    private static readonly Dictionary<string, (string Group, string Kind, string Json)> Valid = new()
    {
        ["pod"] = ("", "Pod", """{"metadata":{"name":"p","namespace":"default"},"spec":""" + PodSpec + "}"),
        ["deploy"] = ("apps", "Deployment", """{"metadata":{"name":"web","namespace":"default"},"spec":""" + WorkloadSpec + "}"),
        ["rs"] = ("apps", "ReplicaSet", """{"metadata":{"name":"web","namespace":"default"},"spec":""" + WorkloadSpec + "}"),
        ["sts"] = ("apps", "StatefulSet", """{"metadata":{"name":"web","namespace":"default"},"spec":""" + WorkloadSpec + "}"),
        ["ds"] = ("apps", "DaemonSet", """{"metadata":{"name":"web","namespace":"default"},"spec":""" + WorkloadSpec + "}"),
        ["rc"] = ("", "ReplicationController", """{"metadata":{"name":"web","namespace":"default"},"spec":{"template":""" + Template + "}}"),
        ["svc"] = ("", "Service", """{"metadata":{"name":"web","namespace":"default"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}"""),
        ["cm"] = ("", "ConfigMap", """{"metadata":{"name":"cfg","namespace":"default"},"data":{"app.properties":"x=1"}}"""),
        ["secret"] = ("", "Secret", """{"metadata":{"name":"s","namespace":"default"},"data":{"password":"cGFzcw=="}}"""),
        ["ns"] = ("", "Namespace", """{"metadata":{"name":"team"}}"""),
        ["job"] = ("batch", "Job", """{"metadata":{"name":"pi","namespace":"default"},"spec":{"manualSelector":true,"selector":{"matchLabels":{"app":"web"}},"template":""" + JobTemplate + "}}"),
        ["cj"] = ("batch", "CronJob", """{"metadata":{"name":"tick","namespace":"default"},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"spec":{"template":""" + JobTemplate + "}}}}"),
        ["pvc"] = ("", "PersistentVolumeClaim", """{"metadata":{"name":"data","namespace":"default"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}"""),
        ["role"] = ("rbac.authorization.k8s.io", "ClusterRole", """{"metadata":{"name":"system:reader"},"rules":[]}"""),
    };

    private static (ApiResource Resource, JsonObject Obj) Load(string key)
    {
        var (group, kind, json) = Valid[key.Split('/')[0]];
        var resource = Catalog.All.Single(r => r.Group == group && r.Kind == kind);
        var obj = JsonNode.Parse(json)!.AsObject();
        Defaulter.Apply(resource, obj);
        return (resource, obj);
    }

    [Theory]
    [InlineData("pod")]
    [InlineData("deploy")]
    [InlineData("rs")]
    [InlineData("sts")]
    [InlineData("ds")]
    [InlineData("rc")]
    [InlineData("svc")]
    [InlineData("cm")]
    [InlineData("secret")]
    [InlineData("ns")]
    [InlineData("job")]
    [InlineData("cj")]
    [InlineData("pvc")]
    [InlineData("role")]
    public void ValidateCreate_ValidObject_NoErrors(string key)
    {
        var (resource, obj) = Load(key);
        Assert.Empty(Validator.ValidateCreate(resource, obj).Select(e => e.ToString()));
    }

    /// <summary>Case key ("kind/what") → mutation of the valid object.</summary>
    private static readonly Dictionary<string, Action<JsonObject>> Mutations = new()
    {
        ["pod/name"] = o => o["metadata"]!["name"] = "Foo_Bar",
        ["pod/noname"] = o => o["metadata"]!.AsObject().Remove("name"),
        ["pod/generateName"] = o => { o["metadata"]!.AsObject().Remove("name"); o["metadata"]!["generateName"] = "web-"; },
        ["pod/nonamespace"] = o => o["metadata"]!.AsObject().Remove("namespace"),
        ["pod/labelkey"] = o => o["metadata"]!["labels"] = new JsonObject { ["bad key"] = "v" },
        ["pod/labelvalue"] = o => o["metadata"]!["labels"] = new JsonObject { ["k"] = "-v" },
        ["pod/annotations"] = o => o["metadata"]!["annotations"] = new JsonObject { ["big"] = new string('x', 262145) },
        ["pod/nocontainers"] = o => o["spec"]!["containers"] = new JsonArray(),
        ["pod/containername"] = o => o["spec"]!["containers"]![0]!["name"] = "Web",
        ["pod/dupcontainer"] = o => o["spec"]!.AsObject().Arr("containers")!.Add(o["spec"]!["containers"]![0]!.DeepClone()),
        ["pod/noimage"] = o => o["spec"]!["containers"]![0]!.AsObject().Remove("image"),
        ["pod/port"] = o => o["spec"]!["containers"]![0]!["ports"]![0]!["containerPort"] = 70000,
        ["pod/protocol"] = o => o["spec"]!["containers"]![0]!["ports"]![0]!["protocol"] = "HTTP",
        ["pod/restart"] = o => o["spec"]!["restartPolicy"] = "Sometimes",
        ["pod/limits"] = o => o["spec"]!["containers"]![0]!["resources"] = JsonNode.Parse("""{"limits":{"cpu":"1"},"requests":{"cpu":"2000m"}}"""),
        ["pod/dupvolume"] = o => o["spec"]!.AsObject().Arr("volumes")!.Add(JsonNode.Parse("""{"name":"data","emptyDir":{}}""")),
        ["pod/mount"] = o => o["spec"]!["containers"]![0]!["volumeMounts"]![0]!["name"] = "missing",
        ["pod/twosources"] = o => o["spec"]!["volumes"]![0]!["hostPath"] = JsonNode.Parse("""{"path":"/x"}"""),
        ["pod/probe"] = o => o["spec"]!["containers"]![0]!["livenessProbe"] = JsonNode.Parse("""{"tcpSocket":{"port":80},"successThreshold":2}"""),
        ["deploy/noselector"] = o => o["spec"]!.AsObject().Remove("selector"),
        ["deploy/mismatch"] = o => o["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"other"}}"""),
        ["deploy/replicas"] = o => o["spec"]!["replicas"] = -1,
        ["deploy/strategy"] = o => o["spec"]!["strategy"] = JsonNode.Parse("""{"type":"Blue"}"""),
        ["deploy/zero"] = o => o["spec"]!["strategy"] = JsonNode.Parse("""{"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":0}}"""),
        ["deploy/restart"] = o => o["spec"]!["template"]!["spec"]!["restartPolicy"] = "Never",
        ["deploy/empty"] = o => o["spec"]!["selector"] = new JsonObject(),
        ["deploy/expression"] = o => o["spec"]!["selector"] = JsonNode.Parse("""{"matchExpressions":[{"key":"app","operator":"Near"}]}"""),
        ["rs/mismatch"] = o => o["spec"]!["selector"] = JsonNode.Parse("""{"matchLabels":{"app":"other"}}"""),
        ["sts/policy"] = o => o["spec"]!["podManagementPolicy"] = "Random",
        ["ds/strategy"] = o => o["spec"]!["updateStrategy"] = JsonNode.Parse("""{"type":"Recreate"}"""),
        ["rc/mismatch"] = o => o["spec"]!["selector"] = JsonNode.Parse("""{"app":"other"}"""),
        ["svc/name"] = o => o["metadata"]!["name"] = "1web",
        ["svc/noports"] = o => o["spec"]!["ports"] = new JsonArray(),
        ["svc/portrange"] = o => o["spec"]!["ports"]![0]!["port"] = 0,
        ["svc/type"] = o => o["spec"]!["type"] = "Magic",
        ["svc/unnamed"] = o => o["spec"]!.AsObject().Arr("ports")!.Add(JsonNode.Parse("""{"port":81,"protocol":"TCP","targetPort":81}""")),
        ["svc/dupnames"] = o => o["spec"]!["ports"] = JsonNode.Parse("""[{"name":"http","port":80,"protocol":"TCP","targetPort":80},{"name":"http","port":81,"protocol":"TCP","targetPort":81}]"""),
        ["svc/clusterip"] = o =>
        {
            // As the Service strategy hands it to validation: the plural follows the singular.
            o["spec"]!["clusterIP"] = "abc";
            o["spec"]!["clusterIPs"] = new JsonArray("abc");
        },
        ["svc/nodeport"] = o => o["spec"]!["ports"]![0]!["nodePort"] = 30080,
        ["cm/key"] = o => o["data"] = new JsonObject { ["bad key"] = "x" },
        ["cm/dup"] = o => o["binaryData"] = new JsonObject { ["app.properties"] = "eA==" },
        ["secret/tls"] = o => o["type"] = "kubernetes.io/tls",
        ["ns/name"] = o => o["metadata"]!["name"] = "a.b",
        ["ns/namespace"] = o => o["metadata"]!["namespace"] = "default",
        ["ns/finalizer"] = o => o["spec"]!["finalizers"] = new JsonArray("custom"),
        ["job/restart"] = o => o["spec"]!["template"]!["spec"]!["restartPolicy"] = "Always",
        ["job/noselector"] = o => { o["spec"]!["manualSelector"] = false; o["spec"]!.AsObject().Remove("selector"); },
        ["job/indexed"] = o => { o["spec"]!["completionMode"] = "Indexed"; o["spec"]!.AsObject().Remove("completions"); },
        ["cj/schedule"] = o => o["spec"]!["schedule"] = "every minute",
        ["cj/noschedule"] = o => o["spec"]!["schedule"] = "",
        ["cj/tz"] = o => o["spec"]!["schedule"] = "TZ=UTC 0 * * * *",
        ["cj/policy"] = o => o["spec"]!["concurrencyPolicy"] = "Sometimes",
        ["cj/name"] = o => o["metadata"]!["name"] = new string('a', 53),
        ["pvc/modes"] = o => o["spec"]!["accessModes"] = new JsonArray(),
        ["pvc/storage"] = o => o["spec"]!["resources"] = new JsonObject(),
        ["role/name"] = o => o["metadata"]!["name"] = "a/b",
    };

    public static TheoryData<string, string> InvalidCases => new()
    {
        { "pod/name", "metadata.name: Invalid value: \"Foo_Bar\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
        { "pod/noname", "metadata.name: Required value: name or generateName is required" },
        { "pod/generateName", "" },
        { "pod/nonamespace", "metadata.namespace: Required value" },
        { "pod/labelkey", "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
        { "pod/labelvalue", "metadata.labels: Invalid value: \"-v\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')" },
        { "pod/annotations", "metadata.annotations: Too long: may not be more than 262144 bytes" },
        { "pod/nocontainers", "spec.containers: Required value" },
        { "pod/containername", "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')" },
        { "pod/dupcontainer", "spec.containers[1].name: Duplicate value: \"web\"" },
        { "pod/noimage", "spec.containers[0].image: Required value" },
        { "pod/port", "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive" },
        { "pod/protocol", "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"" },
        { "pod/restart", "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"" },
        { "pod/limits", "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1" },
        { "pod/dupvolume", "spec.volumes[1].name: Duplicate value: \"data\"" },
        { "pod/mount", "spec.containers[0].volumeMounts[0].name: Not found: \"missing\"" },
        { "pod/twosources", "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type" },
        { "pod/probe", "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" },
        { "deploy/noselector", "spec.selector: Required value" },
        { "deploy/mismatch", "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`" },
        { "deploy/replicas", "spec.replicas: Invalid value: -1: must be greater than or equal to 0" },
        { "deploy/strategy", "spec.strategy.type: Unsupported value: \"Blue\": supported values: \"Recreate\", \"RollingUpdate\"" },
        { "deploy/zero", "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0" },
        { "deploy/restart", "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"" },
        { "deploy/empty", "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment" },
        { "deploy/expression", "spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator" },
        { "rs/mismatch", "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`" },
        { "sts/policy", "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'" },
        { "ds/strategy", "spec.updateStrategy.type: Unsupported value: \"Recreate\": supported values: \"OnDelete\", \"RollingUpdate\"" },
        { "rc/mismatch", "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`" },
        { "svc/name", "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" },
        { "svc/noports", "spec.ports: Required value" },
        { "svc/portrange", "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive" },
        { "svc/type", "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"" },
        { "svc/unnamed", "spec.ports[0].name: Required value" },
        { "svc/dupnames", "spec.ports[1].name: Duplicate value: \"http\"" },
        { "svc/clusterip", "spec.clusterIPs[0]: Invalid value: \"abc\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { "svc/nodeport", "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'" },
        { "cm/key", "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')" },
        { "cm/dup", "binaryData[app.properties]: Invalid value: \"app.properties\": duplicate of key present in data" },
        { "secret/tls", "data[tls.crt]: Required value" },
        { "ns/name", "metadata.name: Invalid value: \"a.b\": must not contain dots" },
        { "ns/namespace", "metadata.namespace: Forbidden: not allowed on this type" },
        { "ns/finalizer", "spec.finalizers: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified" },
        { "job/restart", "spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"" },
        { "job/noselector", "spec.selector: Required value" },
        { "job/indexed", "spec.completions: Required value: when completion mode is Indexed" },
        { "cj/schedule", "spec.schedule: Invalid value: \"every minute\": expected exactly 5 fields, found 2: [every minute]" },
        { "cj/noschedule", "spec.schedule: Required value" },
        { "cj/tz", "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead" },
        { "cj/policy", "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\"" },
        { "cj/name", "metadata.name: Invalid value: \"" + new string('a', 53) + "\": must be no more than 52 characters" },
        { "pvc/modes", "spec.accessModes: Required value: at least 1 access mode is required" },
        { "pvc/storage", "spec.resources[storage]: Required value" },
        { "role/name", "metadata.name: Invalid value: \"a/b\": may not contain '/'" },
    };

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void ValidateCreate_InvalidField_ReportsUpstreamMessage(string key, string expected)
    {
        var (resource, obj) = Load(key);
        Mutations[key](obj);

        var errors = Validator.ValidateCreate(resource, obj).Select(e => e.ToString()).ToList();

        if (expected.Length == 0)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(expected, errors);
        }
    }

    [Fact]
    public void ValidateCreate_InvalidDeployment_StatusMessageListsAllErrors()
    {
        var (resource, obj) = Load("deploy");
        obj["spec"]!.AsObject().Remove("selector");
        obj["spec"]!["replicas"] = -1;

        var message = InvalidObjectMessage.Format(resource, "web", Validator.ValidateCreate(resource, obj));

        Assert.Equal("Deployment.apps \"web\" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]", message);
    }
}
