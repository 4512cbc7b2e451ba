using System.Text.Json.Nodes;
using Google.Protobuf;
using Stevedore.ApiServer.Security.Protobuf;

namespace Stevedore.ApiServer.Tests.Security;

public sealed class KubernetesProtobufTests
{
    // Request bodies captured from kubectl 1.33 (hex), the bytes it actually puts on the wire.
    private const string KubectlCanIGetHealthz =
        "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577122f0a100a0012001a0022002a003200380042001211120f0a082f6865616c74687a12036765741a08080012001a0020001a002200";

    private const string KubectlCanIGetPods =
        "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c7412036765741a0022002a04706f647332003a001a08080012001a0020001a002200";

    private const string KubectlCanIList =
        "6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c657352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04180022001a002200";

    private const string KubectlWhoami =
        "6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200";

    private const string KubectlCreateToken =
        "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412340a100a0012001a0022002a00320038004200121a0a0261311a110a03506f64120276311a0270312202753120901c1a040a0012001a002200";

    private static JsonObject Decode(byte[] body)
    {
        Assert.True(KubernetesProtobuf.TryDecode(body, out var json, out var failure), failure?.Message);
        return json!;
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer, leaveOpen: true);
        write(output);
        output.Flush();
        return buffer.ToArray();
    }

    private static void String(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void Nested(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
    }

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw, string contentEncoding = "") =>
        [.. "k8s\0"u8.ToArray(), .. Message(o =>
        {
            Nested(o, 1, Message(t =>
            {
                String(t, 1, apiVersion);
                String(t, 2, kind);
            }));
            Nested(o, 2, raw);
            String(o, 3, contentEncoding);
            String(o, 4, "");
        })];

    [Fact]
    public void TryDecode_HandBuiltAccessReview_YieldsJsonWithAllAttributes()
    {
        var metadata = Message(m =>
        {
            String(m, 1, "review-1");
            m.WriteTag(7, WireFormat.WireType.Varint);
            m.WriteInt64(3);
            Nested(m, 8, Message(t =>
            {
                t.WriteTag(1, WireFormat.WireType.Varint);
                t.WriteInt64(1_700_000_000);
            }));
            Nested(m, 11, Message(e =>
            {
                String(e, 1, "app");
                String(e, 2, "web");
            }));
            Nested(m, 17, [0x0a, 0x00]); // managedFields: not translated, must be skipped
        });
        var resourceAttributes = Message(r =>
        {
            String(r, 1, "ns1");
            String(r, 2, "update");
            String(r, 3, "apps");
            String(r, 4, "v1");
            String(r, 5, "deployments");
            String(r, 6, "scale");
            String(r, 7, "web");
        });
        var review = Message(o =>
        {
            Nested(o, 1, metadata);
            Nested(o, 2, Message(s => Nested(s, 1, resourceAttributes)));
            Nested(o, 3, Message(s =>
            {
                s.WriteTag(1, WireFormat.WireType.Varint);
                s.WriteBool(false);
            }));
        });

        var json = Decode(Envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", review));

        Assert.Equal(
            """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"name":"review-1","generation":3,"creationTimestamp":"2023-11-14T22:13:20Z","labels":{"app":"web"}},"spec":{"resourceAttributes":{"namespace":"ns1","verb":"update","group":"apps","version":"v1","resource":"deployments","subresource":"scale","name":"web"}},"status":{}}""",
            json.ToJsonString());
    }

    [Theory]
    [InlineData(KubectlCanIGetHealthz,
        """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}},"status":{}}""")]
    [InlineData(KubectlCanIGetPods,
        """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}},"status":{}}""")]
    [InlineData(KubectlCanIList,
        """{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":{"namespace":"default"},"status":{}}""")]
    [InlineData(KubectlWhoami,
        """{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1","metadata":{},"status":{"userInfo":{}}}""")]
    [InlineData(KubectlCreateToken,
        """{"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{},"spec":{"audiences":["a1"],"boundObjectRef":{"kind":"Pod","apiVersion":"v1","name":"p1","uid":"u1"},"expirationSeconds":3600},"status":{}}""")]
    public void TryDecode_KubectlBody_YieldsSameJsonKubectlWouldSend(string hex, string expected)
    {
        Assert.Equal(expected, Decode(Convert.FromHexString(hex)).ToJsonString());
    }

    [Fact]
    public void TryDecode_UnsupportedKind_Fails415()
    {
        var body = Envelope("v1", "Pod", []);

        Assert.False(KubernetesProtobuf.TryDecode(body, out var json, out var failure));
        Assert.Null(json);
        Assert.Equal(415, failure!.StatusCode);
        Assert.Contains("Kind=Pod", failure.Message);
    }

    [Fact]
    public void TryDecode_ContentEncodingSet_Fails415()
    {
        var body = Envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", [], contentEncoding: "gzip");

        Assert.False(KubernetesProtobuf.TryDecode(body, out _, out var failure));
        Assert.Equal(415, failure!.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("7b7d")] // "{}", JSON sent under the protobuf content type
    [InlineData("6b3873000a32")] // envelope cut short
    [InlineData("6b3873000a0a0a0276311208506f6400")] // typeMeta length runs past its end
    public void TryDecode_MalformedBody_Fails400(string hex)
    {
        Assert.False(KubernetesProtobuf.TryDecode(Convert.FromHexString(hex), out _, out var failure));
        Assert.Equal(400, failure!.StatusCode);
    }

    [Fact]
    public void TryDecode_WrongWireTypeForKnownField_Fails400()
    {
        // spec.resourceAttributes encoded as a varint instead of a message.
        var review = Message(o => Nested(o, 2, Message(s =>
        {
            s.WriteTag(1, WireFormat.WireType.Varint);
            s.WriteInt32(1);
        })));

        Assert.False(KubernetesProtobuf.TryDecode(Envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", review), out _, out var failure));
        Assert.Equal(400, failure!.StatusCode);
    }

    [Fact]
    public void Encode_AccessReviewResponse_DecodesBackToSameJson()
    {
        var response = JsonNode.Parse(
            """{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":"2026-03-01T12:00:00Z"},"spec":{"resourceAttributes":{"namespace":"default","verb":"get","resource":"pods"}},"status":{"allowed":true,"reason":"ok"}}""")!.AsObject();

        var bytes = KubernetesProtobuf.Encode(response);

        Assert.True(bytes.AsSpan().StartsWith("k8s\0"u8));
        Assert.Equal(response.ToJsonString(), Decode(bytes).ToJsonString());
    }

    [Fact]
    public void Encode_RulesAndUserInfo_RoundTrip()
    {
        var rules = JsonNode.Parse(
            """{"kind":"SelfSubjectRulesReview","apiVersion":"authorization.k8s.io/v1","metadata":{},"spec":{"namespace":"default"},"status":{"resourceRules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}],"nonResourceRules":[{"verbs":["*"],"nonResourceURLs":["*"]}],"incomplete":true}}""")!.AsObject();
        var whoami = JsonNode.Parse(
            """{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1beta1","metadata":{},"status":{"userInfo":{"username":"jane","uid":"u","groups":["a","b"],"extra":{"scopes":["x","y"]}}}}""")!.AsObject();

        Assert.Equal(rules.ToJsonString(), Decode(KubernetesProtobuf.Encode(rules)).ToJsonString());
        Assert.Equal(whoami.ToJsonString(), Decode(KubernetesProtobuf.Encode(whoami)).ToJsonString());
    }

    [Fact]
    public void Encode_UnsupportedKind_Throws()
    {
        Assert.Throws<NotSupportedException>(() => KubernetesProtobuf.Encode(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod" }));
    }

    [Theory]
    [InlineData("application/vnd.kubernetes.protobuf", true)]
    [InlineData("application/vnd.kubernetes.protobuf;stream=watch", true)]
    [InlineData("Application/VND.Kubernetes.Protobuf ; charset=x", true)]
    [InlineData("application/json", false)]
    [InlineData("application/vnd.kubernetes.protobuf.foo", false)]
    [InlineData(null, false)]
    public void IsProtobufMediaType_ContentType_Recognised(string? contentType, bool expected)
    {
        Assert.Equal(expected, KubernetesProtobuf.IsProtobufMediaType(contentType));
    }

    [Theory]
    [InlineData("application/vnd.kubernetes.protobuf", true)]
    [InlineData("application/vnd.kubernetes.protobuf;q=1.0", true)]
    [InlineData("application/vnd.kubernetes.protobuf,application/json", false)]
    [InlineData("application/json, */*", false)]
    [InlineData("application/vnd.kubernetes.protobuf, */*", false)]
    [InlineData("application/vnd.kubernetes.protobuf, application/*", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void AcceptsOnlyProtobuf_AcceptHeader_TrueOnlyWithoutJsonAlternative(string? accept, bool expected)
    {
        Assert.Equal(expected, KubernetesProtobuf.AcceptsOnlyProtobuf(accept));
    }
}
