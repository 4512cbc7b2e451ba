using Stevedore.ApiServer.Protobuf;

namespace Stevedore.ApiServer.Tests.Protobuf;

/// <summary>Review and token bodies captured from kubectl 1.33 (hex), decoded by the schema-driven codec.</summary>
public sealed class ReviewCaptureTests
{
    [Theory]
    [InlineData("6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577122f0a100a0012001a0022002a003200380042001211120f0a082f6865616c74687a12036765741a08080012001a0020001a002200",
        "SelfSubjectAccessReview", "spec.nonResourceAttributes.path", "/healthz")]
    [InlineData("6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123c0a100a0012001a0022002a00320038004200121e0a1c0a0764656661756c7412036765741a0022002a04706f647332003a001a08080012001a0020001a002200",
        "SelfSubjectAccessReview", "spec.resourceAttributes.resource", "pods")]
    [InlineData("6b3873000a310a17617574686f72697a6174696f6e2e6b38732e696f2f7631121653656c665375626a65637452756c657352657669657712230a100a0012001a0022002a0032003800420012090a0764656661756c741a04180022001a002200",
        "SelfSubjectRulesReview", "spec.namespace", "default")]
    [InlineData("6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e5265717565737412340a100a0012001a0022002a00320038004200121a0a0261311a110a03506f64120276311a0270312202753120901c1a040a0012001a002200",
        "TokenRequest", "spec.boundObjectRef.uid", "u1")]
    public void DecodeToJson_KubectlCapture_YieldsFields(string hex, string kind, string path, string expected)
    {
        var json = KubernetesProtobuf.DecodeToJson(Convert.FromHexString(hex));
        Assert.Equal(kind, json["kind"]!.ToString());
        System.Text.Json.Nodes.JsonNode? node = json;
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }

        Assert.Equal(expected, node?.ToString());
    }
}
