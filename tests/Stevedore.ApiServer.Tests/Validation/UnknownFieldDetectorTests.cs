using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.ApiServer.Validation;

namespace Stevedore.ApiServer.Tests.Validation;

public class UnknownFieldDetectorTests
{
    [Theory]
    [InlineData("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"any":"x"},"annotations":{"b/c":"d"}},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1"}}}]}}}}""", "")]
    [InlineData("""{"spec":{"foo":1}}""", ".spec.foo")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b","bogus":true}]}}}}""", ".spec.template.spec.containers[1].bogus")]
    [InlineData("""{"metadata":{"nam":"x"},"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"extra":{}}}},"status":{"x":1}}""", ".metadata.nam|.spec.strategy.rollingUpdate.extra|.status.x")]
    [InlineData("""{"spec":{"template":{"spec":{"nodeSelector":{"free":"form"},"containers":[{"env":[{"name":"a","valueFrom":{"fieldRef":{"fieldPath":"x","oops":1}}}]}]}}}}""", ".spec.template.spec.containers[0].env[0].valueFrom.fieldRef.oops")]
    public void Find_Deployment_ReportsUndeclaredFields(string json, string expected)
    {
        var paths = UnknownFieldDetector.Find(JsonNode.Parse(json), typeof(V1Deployment));
        Assert.Equal(expected, string.Join("|", paths));
    }

    [Theory]
    [InlineData("""{"spec":{"f\u00f6o":1,"\u0072eplicas":2}}""", ".spec.föo")]
    [InlineData("""{"spec":{"template":{"spec":{"containers":[{"resources":{"claims":[{"name":"x","bad":1}]}}]}},"selector":{"matchLabels":{"k":"v"},"nope":[]}}}""", ".spec.template.spec.containers[0].resources.claims[0].bad|.spec.selector.nope")]
    [InlineData("""{"spec":{"replicas":null,"template":null,"selector":"not an object"}}""", "")]
    [InlineData("""[1,2]""", "")]
    public void Find_Bytes_EscapedNamesNestedListsAndOddValues(string json, string expected)
    {
        var paths = UnknownFieldDetector.Find(System.Text.Encoding.UTF8.GetBytes(json), typeof(V1Deployment));
        Assert.Equal(expected, string.Join("|", paths));
    }

    [Fact]
    public void Find_MapOfModels_WalksValuesWithKeyInPath()
    {
        var json = """{"spec":{"versions":[{"name":"v1","schema":{"openAPIV3Schema":{"type":"object","properties":{"size":{"type":"integer","bogus":1}}}}}]}}""";

        Assert.Equal(".spec.versions[0].schema.openAPIV3Schema.properties[size].bogus",
            string.Join("|", UnknownFieldDetector.Find(JsonNode.Parse(json), typeof(V1CustomResourceDefinition))));
    }

    [Fact]
    public void Find_ConfigMapData_IsFreeForm() =>
        Assert.Empty(UnknownFieldDetector.Find(JsonNode.Parse("""{"data":{"anything":"x"},"binaryData":{"b":"eA=="}}"""), typeof(V1ConfigMap)));

    [Fact]
    public void StrictDecodingMessage_TwoFields_UpstreamText() =>
        Assert.Equal("strict decoding error: unknown field \"spec.foo\", unknown field \"spec.bar\"",
            UnknownFieldDetector.StrictDecodingMessage([".spec.foo", ".spec.bar"]));

    [Fact]
    public void WarningText_Path_DropsLeadingDot() =>
        Assert.Equal("unknown field \"spec.template.spec.containers[0].bogus\"", UnknownFieldDetector.WarningText(".spec.template.spec.containers[0].bogus"));
}
