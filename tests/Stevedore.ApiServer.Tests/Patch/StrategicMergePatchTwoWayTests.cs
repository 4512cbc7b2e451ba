using System.Text.Json.Nodes;
using k8s.Models;
using Stevedore.ApiServer.Patch;

namespace Stevedore.ApiServer.Tests.Patch;

public class StrategicMergePatchTwoWayTests
{
    [Theory]
    [InlineData(typeof(V1Pod), "{'metadata':{'labels':{'a':'1'}}}", "{'metadata':{'labels':{'a':'2','b':'3'}}}")]
    [InlineData(typeof(V1Pod), "{'metadata':{'labels':{'a':'1','b':'2'}}}", "{'metadata':{'labels':{'b':'2'}}}")]
    [InlineData(typeof(V1Pod), "{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b','image':'1'}]}}", "{'spec':{'containers':[{'name':'b','image':'2'},{'name':'c'}]}}")]
    [InlineData(typeof(V1Pod), "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'}]}]}}", "{'spec':{'containers':[{'name':'a','env':[{'name':'Y','value':'1'}]}]}}")]
    [InlineData(typeof(V1Pod), "{'metadata':{'finalizers':['a','b','c']}}", "{'metadata':{'finalizers':['c','d','a']}}")]
    [InlineData(typeof(V1Pod), "{'spec':{'tolerations':[{'key':'a'}],'nodeName':'n'}}", "{'spec':{'tolerations':[{'key':'b'}]}}")]
    [InlineData(typeof(V1Deployment), "{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}", "{'spec':{'strategy':{'type':'Recreate'}}}")]
    [InlineData(typeof(V1Pod), "{'spec':{'volumes':[{'name':'v','emptyDir':{}}]}}", "{'spec':{'volumes':[{'name':'v','hostPath':{'path':'/x'}}]}}")]
    public void CreateTwoWay_AppliedToOriginal_YieldsModified(Type type, string original, string modified)
    {
        var originalNode = Json.Object(original);

        var patch = StrategicMergePatch.CreateTwoWay(originalNode, Json.Object(modified), type);
        var result = StrategicMergePatch.Apply(originalNode, patch, type);

        Json.Equal(modified, result);
    }

    [Fact]
    public void CreateTwoWay_RemovedContainer_UsesDeleteDirectiveAndElementOrder()
    {
        var patch = StrategicMergePatch.CreateTwoWay(
            Json.Object("{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}"),
            Json.Object("{'spec':{'containers':[{'name':'b'}]}}"),
            typeof(V1Pod));

        Json.Equal("{'spec':{'containers':[{'name':'a','$patch':'delete'}],'$setElementOrder/containers':[{'name':'b'}]}}", patch);
    }

    [Fact]
    public void CreateTwoWay_IdenticalObjects_GivesEmptyPatch()
    {
        var obj = Json.Object("{'spec':{'containers':[{'name':'a'}]}}");

        Assert.Empty(StrategicMergePatch.CreateTwoWay(obj, (JsonObject)obj.DeepClone(), typeof(V1Pod)));
    }
}
