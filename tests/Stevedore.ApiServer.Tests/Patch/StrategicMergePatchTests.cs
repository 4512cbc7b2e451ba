using k8s.Models;
using Stevedore.ApiServer.Patch;

namespace Stevedore.ApiServer.Tests.Patch;

public class StrategicMergePatchTests
{
    private const string TwoContainers = "{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b','image':'b:1'}]}}";

    public static TheoryData<string, Type, string, string, string> Cases => new()
    {
        {
            "containers merge by name", typeof(V1Pod), TwoContainers,
            "{'spec':{'containers':[{'name':'b','image':'b:2'}]}}",
            "{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b','image':'b:2'}]}}"
        },
        {
            "new container appended", typeof(V1Pod), TwoContainers,
            "{'spec':{'containers':[{'name':'c','image':'c:1'}]}}",
            "{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b','image':'b:1'},{'name':'c','image':'c:1'}]}}"
        },
        {
            "$patch delete of a list item", typeof(V1Pod), TwoContainers,
            "{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}",
            "{'spec':{'containers':[{'name':'b','image':'b:1'}]}}"
        },
        {
            "$patch replace of a list", typeof(V1Pod), TwoContainers,
            "{'spec':{'containers':[{'name':'c','image':'c:1'},{'$patch':'replace'}]}}",
            "{'spec':{'containers':[{'name':'c','image':'c:1'}]}}"
        },
        {
            "$patch replace of a map", typeof(V1Pod), "{'metadata':{'labels':{'a':'1','b':'2'}}}",
            "{'metadata':{'labels':{'c':'3','$patch':'replace'}}}",
            "{'metadata':{'labels':{'c':'3'}}}"
        },
        {
            "$patch delete of a map", typeof(V1Pod), "{'metadata':{'name':'p','labels':{'a':'1'}}}",
            "{'metadata':{'labels':{'$patch':'delete'}}}",
            "{'metadata':{'name':'p','labels':{}}}"
        },
        {
            "null deletes a key", typeof(V1Pod), "{'metadata':{'labels':{'a':'1','b':'2'}},'spec':{'nodeName':'n'}}",
            "{'metadata':{'labels':{'a':null}},'spec':{'nodeName':null}}",
            "{'metadata':{'labels':{'b':'2'}},'spec':{}}"
        },
        {
            "nested env merges by name", typeof(V1Pod), "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}]}]}}",
            "{'spec':{'containers':[{'name':'a','env':[{'name':'Y','value':'3'},{'name':'Z','value':'4'}]}]}}",
            "{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y','value':'3'},{'name':'Z','value':'4'}]}]}}"
        },
        {
            "container ports merge by containerPort", typeof(V1Pod), "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'http'}]}]}}",
            "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'web'},{'containerPort':443}]}]}}",
            "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'web'},{'containerPort':443}]}]}}"
        },
        {
            "non-merge list is replaced", typeof(V1Pod), "{'spec':{'tolerations':[{'key':'a'}],'containers':[{'name':'a','args':['x','y']}]}}",
            "{'spec':{'tolerations':[{'key':'b'}],'containers':[{'name':'a','args':['z']}]}}",
            "{'spec':{'tolerations':[{'key':'b'}],'containers':[{'name':'a','args':['z']}]}}"
        },
        {
            "finalizers merge as a set", typeof(V1Pod), "{'metadata':{'finalizers':['a','b']}}",
            "{'metadata':{'finalizers':['b','c']}}",
            "{'metadata':{'finalizers':['a','b','c']}}"
        },
        {
            "$deleteFromPrimitiveList on finalizers", typeof(V1Pod), "{'metadata':{'finalizers':['a','b','c']}}",
            "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}",
            "{'metadata':{'finalizers':['a','c']}}"
        },
        {
            "$retainKeys in deployment strategy", typeof(V1Deployment), "{'spec':{'replicas':1,'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
            "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate','rollingUpdate':null}}}",
            "{'spec':{'replicas':1,'strategy':{'type':'Recreate'}}}"
        },
        {
            "$retainKeys in a volume", typeof(V1Pod), "{'spec':{'volumes':[{'name':'v','emptyDir':{}},{'name':'w','emptyDir':{}}]}}",
            "{'spec':{'volumes':[{'name':'v','hostPath':{'path':'/x'},'$retainKeys':['hostPath','name']}]}}",
            "{'spec':{'volumes':[{'name':'v','hostPath':{'path':'/x'}},{'name':'w','emptyDir':{}}]}}"
        },
        {
            "$setElementOrder reorders merged items", typeof(V1Pod), TwoContainers,
            "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}],'containers':[{'name':'a','image':'a:2'}]}}",
            "{'spec':{'containers':[{'name':'b','image':'b:1'},{'name':'a','image':'a:2'}]}}"
        },
        {
            "$setElementOrder keeps server-only items", typeof(V1Pod), "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'x'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}",
            "{'spec':{'containers':[{'name':'b'},{'name':'a'},{'name':'x'}]}}"
        },
        {
            "$setElementOrder on a primitive list", typeof(V1Pod), "{'metadata':{'finalizers':['a','b']}}",
            "{'metadata':{'$setElementOrder/finalizers':['c','b','a'],'finalizers':['c']}}",
            "{'metadata':{'finalizers':['c','b','a']}}"
        },
        {
            "service ports merge by port", typeof(V1Service), "{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443}]}}",
            "{'spec':{'ports':[{'port':80,'targetPort':9090}]}}",
            "{'spec':{'ports':[{'port':80,'targetPort':9090},{'port':443}]}}"
        },
        {
            "replace strategy on PDB selector", typeof(V1PodDisruptionBudget), "{'spec':{'selector':{'matchLabels':{'a':'1'}}}}",
            "{'spec':{'selector':{'matchLabels':{'b':'2'}}}}",
            "{'spec':{'selector':{'matchLabels':{'b':'2'}}}}"
        },
        {
            "deployment selector merges as a map", typeof(V1Deployment), "{'spec':{'selector':{'matchLabels':{'a':'1'}}}}",
            "{'spec':{'selector':{'matchLabels':{'b':'2'}}}}",
            "{'spec':{'selector':{'matchLabels':{'a':'1','b':'2'}}}}"
        },
        {
            "ownerReferences merge by uid", typeof(V1ConfigMap), "{'metadata':{'ownerReferences':[{'uid':'1','name':'a'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'2','name':'b'}]}}",
            "{'metadata':{'ownerReferences':[{'uid':'1','name':'a'},{'uid':'2','name':'b'}]}}"
        },
        {
            "pod template inside a deployment", typeof(V1Deployment), "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b'}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'a:2'}]}}}}",
            "{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'a:2'},{'name':'b'}]}}}}"
        },
        {
            "new subtree drops nulls and directives", typeof(V1Pod), "{'metadata':{'name':'p'}}",
            "{'metadata':{'labels':{'a':'1','b':null}},'spec':{'containers':[{'name':'a','$patch':'merge'}]}}",
            "{'metadata':{'name':'p','labels':{'a':'1'}},'spec':{'containers':[{'name':'a'}]}}"
        },
        {
            "pod conditions merge by type", typeof(V1Pod), "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'Initialized','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Ready','status':'True'}]}}",
            "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'Initialized','status':'True'}]}}"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Apply_UpstreamCase_ProducesExpectedObject(string name, Type modelType, string original, string patch, string expected)
    {
        _ = name;
        var originalNode = Json.Parse(original)!;
        var before = originalNode.ToJsonString();

        var result = StrategicMergePatch.Apply(originalNode, Json.Parse(patch)!, modelType);

        Json.Equal(expected, result);
        Assert.Equal(before, originalNode.ToJsonString());
    }

    [Theory]
    [InlineData("{'spec':{'containers':[{'image':'x'}]}}", PatchFailure.Unprocessable, "merge key")]
    [InlineData("{'metadata':{'labels':{'$patch':'explode'}}}", PatchFailure.BadRequest, "explode")]
    [InlineData("{'spec':{'volumes':[{'name':'v','emptyDir':{},'$retainKeys':['name']}]}}", PatchFailure.BadRequest, "emptyDir")]
    [InlineData("[{'op':'add'}]", PatchFailure.BadRequest, "JSON object")]
    public void Apply_InvalidPatch_ThrowsPatchException(string patch, PatchFailure failure, string messagePart)
    {
        var original = Json.Parse("{'metadata':{'name':'p'},'spec':{'containers':[{'name':'a'}],'volumes':[{'name':'v'}]}}")!;

        var error = Assert.Throws<PatchException>(() => StrategicMergePatch.Apply(original, Json.Parse(patch)!, typeof(V1Pod)));

        Assert.Equal(failure, error.Failure);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }
}
