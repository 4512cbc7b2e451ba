using System.Text.Json.Nodes;
using Google.Protobuf;
using Stevedore.ApiServer.Protobuf;

namespace Stevedore.ApiServer.Tests.Protobuf;

public class KubernetesProtobufEncodeTests
{
    public static TheoryData<string> RoundTripObjects => new()
    {
        """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"foo","namespace":"default","labels":{"a":"1"},"annotations":{"note":"x"}},"data":{"a":"b"},"binaryData":{"bin":"AP8QYQ=="},"immutable":false}""",
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","uid":"u-1","resourceVersion":"42","creationTimestamp":"2026-01-02T03:04:05Z","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"u-0","controller":true}]},"spec":{"volumes":[{"name":"data","emptyDir":{"sizeLimit":"1Gi"}},{"name":"cfg","configMap":{"name":"settings","items":[{"key":"k","path":"p"}]}}],"containers":[{"name":"c","image":"busybox","command":["sh","-c","sleep 1"],"ports":[{"containerPort":8080,"protocol":"TCP"}],"env":[{"name":"A","value":"1"},{"name":"S","valueFrom":{"secretKeyRef":{"name":"s","key":"k","optional":true}}}],"resources":{"limits":{"memory":"64Mi"}},"livenessProbe":{"httpGet":{"path":"/healthz","port":"http"},"periodSeconds":5},"readinessProbe":{"tcpSocket":{"port":8080}},"volumeMounts":[{"name":"data","mountPath":"/data","readOnly":true}]}],"restartPolicy":"Always","terminationGracePeriodSeconds":0,"nodeSelector":{"disk":"ssd"},"tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule","tolerationSeconds":30}]},"status":{"phase":"Running","podIP":"10.0.0.5","startTime":"2026-01-02T03:04:05Z","containerStatuses":[{"name":"c","ready":true,"restartCount":2,"image":"busybox","imageID":"sha256:abc","state":{"running":{"startedAt":"2026-01-02T03:04:06Z"}}}]}}""",
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc"},"spec":{"ports":[{"name":"http","port":80,"targetPort":"http"},{"name":"metrics","port":9090,"targetPort":9091,"nodePort":30090}],"selector":{"app":"web"},"clusterIP":"10.96.0.10","type":"NodePort","sessionAffinity":"None"}}""",
        """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx"}]}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}},"revisionHistoryLimit":10,"paused":true},"status":{"replicas":3,"readyReplicas":2,"conditions":[{"type":"Available","status":"True","lastUpdateTime":"2026-01-02T03:04:05Z","reason":"MinimumReplicasAvailable"}]}}""",
        """{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"7","continue":"abc","remainingItemCount":5},"items":[{"metadata":{"name":"a"},"data":{"k":"v"}},{"metadata":{"name":"b"}}]}""",
        """{"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure","message":"not found","reason":"NotFound","details":{"name":"x","kind":"pods","causes":[{"reason":"FieldValueInvalid","message":"bad","field":"spec"}]},"code":404}""",
        """{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":5},"status":{"replicas":3,"selector":"app=web"}}""",
        """{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-0","namespace":"default"},"deleteOptions":{"gracePeriodSeconds":0,"dryRun":["All"]}}""",
        """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{"name":"sa"},"spec":{"audiences":["https://kubernetes.default.svc"],"expirationSeconds":3600,"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p","uid":"u"}},"status":{"token":"abc","expirationTimestamp":"2026-01-02T04:04:05Z"}}""",
        """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"t"},"status":{"authenticated":true,"user":{"username":"alice","groups":["devs"],"extra":{"scopes":["a","b"]}}}}""",
        """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","metadata":{},"status":{"userInfo":{"username":"admin","groups":["system:masters"]}}}""",
        """{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectRulesReview","spec":{"namespace":"default"},"status":{"resourceRules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}],"nonResourceRules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}],"incomplete":true}}""",
        """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"view"},"rules":[{"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments"]}],"aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"agg":"true"}}]}}""",
        """{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"ing"},"spec":{"ingressClassName":"nginx","rules":[{"host":"foo.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"svc","port":{"number":80}}}}]}}],"tls":[{"hosts":["foo.com"],"secretName":"tls"}]}}""",
        """{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"cj"},"spec":{"schedule":"*/5 * * * *","suspend":false,"jobTemplate":{"spec":{"backoffLimit":0,"template":{"spec":{"containers":[{"name":"c","image":"busybox"}],"restartPolicy":"OnFailure"}}}}},"status":{"lastScheduleTime":"2026-01-02T03:00:00Z"}}""",
        """{"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"e"},"eventTime":"2026-01-02T03:04:05.000001Z","reportingController":"stevedore","reportingInstance":"n1","action":"Pulled","reason":"Pulled","regarding":{"kind":"Pod","name":"p"},"note":"pulled","type":"Normal"}""",
        """{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com","names":{"plural":"widgets","kind":"Widget"},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","required":["size"],"properties":{"size":{"type":"integer","minimum":0,"maximum":10.5,"default":3},"mode":{"type":"string","enum":["a",null]},"tags":{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"set"},"extra":{"type":"object","additionalProperties":{"type":"string"}},"closed":{"type":"object","additionalProperties":false},"port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}},"x-kubernetes-validations":[{"rule":"self.size < 10"}]}},"x-kubernetes-preserve-unknown-fields":true}},"subresources":{"status":{},"scale":{"specReplicasPath":".spec.size","statusReplicasPath":".status.size"}}}]}}""",
    };

    [Theory]
    [MemberData(nameof(RoundTripObjects))]
    public void EncodeFromJson_ThenDecode_ReturnsTheSameObject(string json)
    {
        var original = JsonNode.Parse(json)!.AsObject();

        var decoded = KubernetesProtobuf.DecodeToJson(KubernetesProtobuf.EncodeFromJson(original));

        Assert.True(JsonNode.DeepEquals(original, decoded), $"expected {original.ToJsonString()}\nactual   {decoded.ToJsonString()}");
    }

    [Fact]
    public void EncodeFromJson_ConfigMap_WritesEnvelopeReadableByGoogleProtobuf()
    {
        var obj = JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"foo"},"data":{"b":"2","a":"1"}}""")!.AsObject();

        var body = KubernetesProtobuf.EncodeFromJson(obj);

        Assert.Equal("k8s\0"u8.ToArray(), body[..4]);
        var unknown = new CodedInputStream(body[4..]);
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), unknown.ReadTag());
        var typeMeta = new CodedInputStream(unknown.ReadBytes().ToByteArray());
        typeMeta.ReadTag();
        Assert.Equal("v1", typeMeta.ReadString());
        typeMeta.ReadTag();
        Assert.Equal("ConfigMap", typeMeta.ReadString());
        Assert.Equal(WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited), unknown.ReadTag());
        var raw = new CodedInputStream(unknown.ReadBytes().ToByteArray());

        // ConfigMap: metadata (1) first, then data (2) entries sorted by key, as gogo writes them.
        Assert.Equal(WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited), raw.ReadTag());
        var meta = new CodedInputStream(raw.ReadBytes().ToByteArray());
        meta.ReadTag();
        Assert.Equal("foo", meta.ReadString());
        var keys = new List<string>();
        while (raw.ReadTag() == WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited))
        {
            var entry = new CodedInputStream(raw.ReadBytes().ToByteArray());
            entry.ReadTag();
            keys.Add(entry.ReadString());
        }

        Assert.Equal(["a", "b"], keys);
    }

    [Fact]
    public void EncodeFromJson_IntOrStringAndQuantity_UseTheirMessageForms()
    {
        var obj = JsonNode.Parse("""{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","spec":{"minAvailable":"50%","maxUnavailable":2}}""")!.AsObject();

        var body = KubernetesProtobuf.EncodeFromJson(obj);
        var expected = ProtoBuilder.Envelope("policy/v1", "PodDisruptionBudget", new ProtoBuilder()
            .Message(2, new ProtoBuilder()
                .Message(1, new ProtoBuilder().Varint(1, 1).Varint(2, 0).String(3, "50%"))
                .Message(3, new ProtoBuilder().Varint(1, 0).Varint(2, 2).String(3, string.Empty))));

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(body));
    }

    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","data":"not a map"}""", "data")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":"three"}}""", "replicas")]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","spec":{"replicas":1.5}}""", "replicas")]
    [InlineData("""{"apiVersion":"v1","kind":"Secret","data":{"k":"%%%"}}""", "data")]
    [InlineData("""{"apiVersion":"example.com/v1","kind":"Widget"}""", "Widget")]
    public void EncodeFromJson_ValueDoesNotFit_ThrowsNamingTheField(string json, string expectedInMessage)
    {
        var obj = JsonNode.Parse(json)!.AsObject();

        var e = Assert.Throws<ProtobufEncodeException>(() => KubernetesProtobuf.EncodeFromJson(obj));
        Assert.Contains(expectedInMessage, e.Message, StringComparison.Ordinal);
    }
}
