using System.Text.Json.Nodes;
using Stevedore.ApiServer.Protobuf;

namespace Stevedore.ApiServer.Tests.Protobuf;

public class KubernetesProtobufDecodeTests
{
    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    [Fact]
    public void DecodeToJson_ConfigMap_ReturnsObjectWithTypeMeta()
    {
        var configMap = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("foo", "default").MapEntry(11, "app", "web"))
            .MapEntry(2, "a", "b")
            .MapEntry(2, "empty", string.Empty)
            .Bool(4, true);

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("v1", "ConfigMap", configMap));

        AssertJson("""
            {"apiVersion":"v1","kind":"ConfigMap",
             "metadata":{"name":"foo","namespace":"default","labels":{"app":"web"}},
             "data":{"a":"b","empty":""},"immutable":true}
            """, json);
    }

    [Fact]
    public void DecodeToJson_DeploymentWithContainer_DecodesPortsEnvResourcesAndSpecialTypes()
    {
        var container = new ProtoBuilder()
            .String(1, "web")
            .String(2, "nginx:1.25")
            .Message(6, new ProtoBuilder().String(1, "http").Varint(3, 80).String(4, "TCP"))
            .Message(7, new ProtoBuilder().String(1, "MODE").String(2, "prod"))
            .Message(7, new ProtoBuilder().String(1, "CFG").Message(3, new ProtoBuilder()
                .Message(3, new ProtoBuilder().Message(1, new ProtoBuilder().String(1, "settings")).String(2, "key"))))
            .Message(8, new ProtoBuilder()
                .MapEntry(1, "cpu", new ProtoBuilder().String(1, "500m"))
                .MapEntry(1, "memory", new ProtoBuilder().String(1, "128Mi"))
                .MapEntry(2, "cpu", new ProtoBuilder().String(1, "250m")));
        var template = new ProtoBuilder()
            .Message(1, new ProtoBuilder().MapEntry(11, "app", "web"))
            .Message(2, new ProtoBuilder().Message(2, container));
        var strategy = new ProtoBuilder()
            .String(1, "RollingUpdate")
            .Message(2, new ProtoBuilder()
                .Message(1, new ProtoBuilder().Varint(1, 0).Varint(2, 1).String(3, string.Empty))
                .Message(2, new ProtoBuilder().Varint(1, 1).String(3, "25%")));
        var deployment = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("web").Message(8, new ProtoBuilder().Varint(1, 1767323045)))
            .Message(2, new ProtoBuilder()
                .Varint(1, 0)
                .Message(2, new ProtoBuilder().MapEntry(1, "app", "web"))
                .Message(3, template)
                .Message(4, strategy)
                .Varint(5, 0));

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("apps/v1", "Deployment", deployment));

        // replicas is a Go pointer (0 kept); minReadySeconds is a Go value (0 hidden).
        AssertJson("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","creationTimestamp":"2026-01-02T03:04:05Z"},
             "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{
                 "name":"web","image":"nginx:1.25",
                 "ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],
                 "env":[{"name":"MODE","value":"prod"},
                        {"name":"CFG","valueFrom":{"configMapKeyRef":{"name":"settings","key":"key"}}}],
                 "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"250m"}}}]}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":"25%"}}}}
            """, json);
    }

    [Fact]
    public void DecodeToJson_SecretWithBinaryData_EncodesValuesAsBase64()
    {
        var secret = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("creds"))
            .Message(2, new ProtoBuilder().String(1, "key").Bytes(2, [0x00, 0xFF, 0x10, 0x61]))
            .String(3, "Opaque");

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("v1", "Secret", secret));

        AssertJson("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds"},"data":{"key":"AP8QYQ=="},"type":"Opaque"}""", json);
    }

    [Fact]
    public void DecodeToJson_SelfSubjectAccessReview_KeepsOnlySetAttributes()
    {
        var review = new ProtoBuilder()
            .Message(1, new ProtoBuilder().String(1, string.Empty))
            .Message(2, new ProtoBuilder().Message(1, new ProtoBuilder()
                .String(1, "default").String(2, "get").String(3, string.Empty).String(5, "pods").String(6, string.Empty)))
            .Message(3, new ProtoBuilder().Bool(1, false).Bool(4, false).String(2, string.Empty));

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", review));

        AssertJson("""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","metadata":{},
             "spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}},"status":{}}
            """, json);
    }

    [Fact]
    public void DecodeToJson_SubjectAccessReviewExtra_DecodesStringSliceWrapperAsArray()
    {
        var review = new ProtoBuilder()
            .Message(2, new ProtoBuilder()
                .String(3, "alice")
                .MapEntry(5, "scopes", new ProtoBuilder().String(1, "read").String(1, "write")));

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("authorization.k8s.io/v1", "SubjectAccessReview", review));

        AssertJson("""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
             "spec":{"user":"alice","extra":{"scopes":["read","write"]}}}
            """, json);
    }

    [Fact]
    public void DecodeToJson_PodVolumes_FlattensInlineVolumeSource()
    {
        var volume = new ProtoBuilder()
            .String(1, "cfg")
            .Message(2, new ProtoBuilder().Message(19, new ProtoBuilder()
                .Message(1, new ProtoBuilder().String(1, "settings"))
                .Varint(3, 420)));
        var pod = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("p"))
            .Message(2, new ProtoBuilder().Message(1, volume));

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("v1", "Pod", pod));

        AssertJson("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
             "spec":{"volumes":[{"name":"cfg","configMap":{"name":"settings","defaultMode":420}}]}}
            """, json);
    }

    [Fact]
    public void DecodeToJson_LeaseAndManagedFields_DecodesMicroTimeAndFieldsV1()
    {
        var managed = new ProtoBuilder()
            .String(1, "kubectl")
            .String(2, "Apply")
            .Message(4, new ProtoBuilder().Varint(1, 1767323045))
            .String(6, "FieldsV1")
            .Message(7, new ProtoBuilder().Bytes(1, """{"f:spec":{}}"""u8.ToArray()));
        var lease = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("node-1").Message(17, managed))
            .Message(2, new ProtoBuilder()
                .String(1, "node-1")
                .Varint(2, 40)
                .Message(4, new ProtoBuilder().Varint(1, 1767323045).Varint(2, 123456000)));

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("coordination.k8s.io/v1", "Lease", lease));

        AssertJson("""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
             "metadata":{"name":"node-1","managedFields":[{"manager":"kubectl","operation":"Apply",
               "time":"2026-01-02T03:04:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
             "spec":{"holderIdentity":"node-1","leaseDurationSeconds":40,"renewTime":"2026-01-02T03:04:05.123456Z"}}
            """, json);
    }

    [Fact]
    public void DecodeToJson_ControllerRevision_EmbedsRawExtensionJson()
    {
        var revision = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("web-1"))
            .Message(2, new ProtoBuilder().Bytes(1, """{"spec":{"replicas":3}}"""u8.ToArray()))
            .Varint(3, 1);

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("apps/v1", "ControllerRevision", revision));

        AssertJson("""
            {"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"web-1"},
             "data":{"spec":{"replicas":3}},"revision":1}
            """, json);
    }

    [Fact]
    public void DecodeToJson_UnknownFieldNumbers_AreSkipped()
    {
        var configMap = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("foo"))
            .Varint(900, 7)
            .String(901, "from a newer client")
            .MapEntry(2, "a", "b");

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("v1", "ConfigMap", configMap));

        AssertJson("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"foo"},"data":{"a":"b"}}""", json);
    }

    [Fact]
    public void DecodeToJson_EvictionWithDeleteOptions_DecodesNestedPreconditions()
    {
        var eviction = new ProtoBuilder()
            .Message(1, ProtoBuilder.Meta("web-0", "default"))
            .Message(2, new ProtoBuilder()
                .Varint(1, 30)
                .Message(2, new ProtoBuilder().String(1, "uid-1"))
                .String(4, "Foreground"));

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("policy/v1", "Eviction", eviction));

        AssertJson("""
            {"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web-0","namespace":"default"},
             "deleteOptions":{"gracePeriodSeconds":30,"preconditions":{"uid":"uid-1"},"propagationPolicy":"Foreground"}}
            """, json);
    }

    [Fact]
    public void DecodeToJson_DeleteOptionsInAGroupVersion_FallsBackToMetaV1()
    {
        var options = new ProtoBuilder().String(4, "Background").String(5, "All");

        var json = KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("apps/v1", "DeleteOptions", options));

        AssertJson("""{"apiVersion":"apps/v1","kind":"DeleteOptions","propagationPolicy":"Background","dryRun":["All"]}""", json);
    }

    [Fact]
    public void DecodeToJson_BadMagic_ThrowsReadableError()
    {
        var e = Assert.Throws<ProtobufDecodeException>(() => KubernetesProtobuf.DecodeToJson("{\"kind\":1}"u8));
        Assert.Contains("k8s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_TruncatedBody_Throws()
    {
        var body = ProtoBuilder.Envelope("v1", "ConfigMap", new ProtoBuilder().Message(1, ProtoBuilder.Meta("foo")));

        var e = Assert.Throws<ProtobufDecodeException>(() => KubernetesProtobuf.DecodeToJson(body.AsSpan(0, body.Length - 12)));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_UnknownKind_ThrowsNamingTheKind()
    {
        var body = ProtoBuilder.Envelope("example.com/v1", "Widget", new ProtoBuilder());

        var e = Assert.Throws<ProtobufDecodeException>(() => KubernetesProtobuf.DecodeToJson(body));
        Assert.Contains("Widget", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_WrongWireType_Throws()
    {
        var configMap = new ProtoBuilder().Varint(1, 5);

        var e = Assert.Throws<ProtobufDecodeException>(() => KubernetesProtobuf.DecodeToJson(ProtoBuilder.Envelope("v1", "ConfigMap", configMap)));
        Assert.Contains("metadata", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_SchemaNestedTooDeep_ThrowsInsteadOfOverflowingTheStack()
    {
        var schema = new ProtoBuilder().String(5, "object");
        for (var i = 0; i < 150; i++)
        {
            schema = new ProtoBuilder().Message(28, schema);
        }

        var crd = new ProtoBuilder().Message(2, new ProtoBuilder().Message(7, new ProtoBuilder()
            .String(1, "v1")
            .Message(4, new ProtoBuilder().Message(1, schema))));
        var body = ProtoBuilder.Envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd);

        var e = Assert.Throws<ProtobufDecodeException>(() => KubernetesProtobuf.DecodeToJson(body));
        Assert.Contains("deeper", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_GzipContentEncoding_IsRejected()
    {
        var unknown = new ProtoBuilder()
            .Message(1, new ProtoBuilder().String(1, "v1").String(2, "ConfigMap"))
            .Bytes(2, [1, 2, 3])
            .String(3, "gzip")
            .ToArray();

        var e = Assert.Throws<ProtobufDecodeException>(() => KubernetesProtobuf.DecodeToJson([.. "k8s\0"u8, .. unknown]));
        Assert.Contains("gzip", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/vnd.kubernetes.protobuf", true)]
    [InlineData("application/vnd.kubernetes.protobuf; charset=utf-8", true)]
    [InlineData("Application/VND.Kubernetes.Protobuf;stream=watch", true)]
    [InlineData("application/json", false)]
    [InlineData("application/vnd.kubernetes.protobuf+json", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsProtobuf_MediaType_MatchesOnlyKubernetesProtobuf(string? mediaType, bool expected) =>
        Assert.Equal(expected, KubernetesProtobuf.IsProtobuf(mediaType));
}
