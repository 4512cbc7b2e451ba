using System.Text.Json.Nodes;
using Stevedore.ApiServer.Printing;
using static Stevedore.ApiServer.Tests.Printing.TestObjects;

namespace Stevedore.ApiServer.Tests.Printing;

public class TableConverterTests
{
    public static TheoryData<string, string> AllResources()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in Catalog.All)
        {
            data.Add(r.Group, r.Plural);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllResources))]
    public void ToTable_EveryCatalogKind_OneCellPerColumn(string group, string plural)
    {
        var resource = Resource(group, plural);
        var bare = Parse("{'metadata':{'name':'bare'}}");
        var table = TableConverter.ToTable(resource, [bare, Parse("{}")], "42", null, null, IncludeObjectPolicy.None, Now);

        var columns = table["columnDefinitions"]!.AsArray();
        Assert.NotEmpty(columns);
        Assert.Contains("Name", columns.Select(c => c!["name"]!.GetValue<string>()));
        foreach (var row in table["rows"]!.AsArray())
        {
            Assert.Equal(columns.Count, row!["cells"]!.AsArray().Count);
        }
        Assert.Equal("bare", table["rows"]![0]!["cells"]!.AsArray()[NameIndex(columns)]!.GetValue<string>());
    }

    [Theory]
    [InlineData("", "pods", "Name,Ready,Status,Restarts,Age", "IP,Node,Nominated Node,Readiness Gates")]
    [InlineData("apps", "deployments", "Name,Ready,Up-to-date,Available,Age", "Containers,Images,Selector")]
    [InlineData("apps", "replicasets", "Name,Desired,Current,Ready,Age", "Containers,Images,Selector")]
    [InlineData("apps", "statefulsets", "Name,Ready,Age", "Containers,Images")]
    [InlineData("apps", "daemonsets", "Name,Desired,Current,Ready,Up-to-date,Available,Node Selector,Age", "Containers,Images,Selector")]
    [InlineData("batch", "jobs", "Name,Status,Completions,Duration,Age", "Containers,Images,Selector")]
    [InlineData("batch", "cronjobs", "Name,Schedule,Timezone,Suspend,Active,Last Schedule,Age", "Containers,Images,Selector")]
    [InlineData("", "services", "Name,Type,Cluster-IP,External-IP,Port(s),Age", "Selector")]
    [InlineData("", "nodes", "Name,Status,Roles,Age,Version", "Internal-IP,External-IP,OS-Image,Kernel-Version,Container-Runtime")]
    [InlineData("", "namespaces", "Name,Status,Age", "")]
    [InlineData("", "configmaps", "Name,Data,Age", "")]
    [InlineData("", "secrets", "Name,Type,Data,Age", "")]
    [InlineData("", "serviceaccounts", "Name,Secrets,Age", "")]
    [InlineData("", "events", "Last Seen,Type,Reason,Object,Message", "Subobject,Source,First Seen,Count,Name")]
    [InlineData("events.k8s.io", "events", "Last Seen,Type,Reason,Object,Message", "Subobject,Source,First Seen,Count,Name")]
    [InlineData("", "endpoints", "Name,Endpoints,Age", "")]
    [InlineData("discovery.k8s.io", "endpointslices", "Name,AddressType,Ports,Endpoints,Age", "")]
    [InlineData("", "persistentvolumes", "Name,Capacity,Access Modes,Reclaim Policy,Status,Claim,StorageClass,VolumeAttributesClass,Reason,Age", "VolumeMode")]
    [InlineData("", "persistentvolumeclaims", "Name,Status,Volume,Capacity,Access Modes,StorageClass,VolumeAttributesClass,Age", "VolumeMode")]
    [InlineData("", "resourcequotas", "Name,Request,Limit,Age", "")]
    [InlineData("", "replicationcontrollers", "Name,Desired,Current,Ready,Age", "Containers,Images,Selector")]
    [InlineData("", "podtemplates", "Name,Containers,Images,Pod Labels", "")]
    [InlineData("coordination.k8s.io", "leases", "Name,Holder,Age", "")]
    [InlineData("rbac.authorization.k8s.io", "rolebindings", "Name,Role,Age", "Users,Groups,ServiceAccounts")]
    [InlineData("rbac.authorization.k8s.io", "clusterrolebindings", "Name,Role,Age", "Users,Groups,ServiceAccounts")]
    [InlineData("networking.k8s.io", "ingresses", "Name,Class,Hosts,Address,Ports,Age", "")]
    [InlineData("networking.k8s.io", "ingressclasses", "Name,Controller,Parameters,Age", "")]
    [InlineData("networking.k8s.io", "networkpolicies", "Name,Pod-Selector,Age", "")]
    [InlineData("scheduling.k8s.io", "priorityclasses", "Name,Value,Global-Default,Age", "PreemptionPolicy")]
    [InlineData("storage.k8s.io", "storageclasses", "Name,Provisioner,ReclaimPolicy,VolumeBindingMode,AllowVolumeExpansion,Age", "")]
    [InlineData("storage.k8s.io", "volumeattachments", "Name,Attacher,PV,Node,Attached,Age", "")]
    [InlineData("storage.k8s.io", "csidrivers", "Name,AttachRequired,PodInfoOnMount,StorageCapacity,TokenRequests,RequiresRepublish,Modes,Age", "")]
    [InlineData("storage.k8s.io", "csinodes", "Name,Drivers,Age", "")]
    [InlineData("autoscaling", "horizontalpodautoscalers", "Name,Reference,Targets,MinPods,MaxPods,Replicas,Age", "")]
    [InlineData("policy", "poddisruptionbudgets", "Name,Min Available,Max Unavailable,Allowed Disruptions,Age", "")]
    [InlineData("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "Name,Webhooks,Age", "")]
    [InlineData("admissionregistration.k8s.io", "validatingwebhookconfigurations", "Name,Webhooks,Age", "")]
    [InlineData("apps", "controllerrevisions", "Name,Controller,Revision,Age", "")]
    [InlineData("rbac.authorization.k8s.io", "roles", "Name,Created At", "")]
    [InlineData("rbac.authorization.k8s.io", "clusterroles", "Name,Created At", "")]
    [InlineData("", "limitranges", "Name,Created At", "")]
    [InlineData("apiextensions.k8s.io", "customresourcedefinitions", "Name,Created At", "")]
    [InlineData("authorization.k8s.io", "selfsubjectaccessreviews", "Name,Created At", "")]
    public void ColumnsFor_Kind_DefaultAndWideColumnsLikeUpstream(string group, string plural, string normal, string wide)
    {
        var columns = TableConverter.ColumnsFor(Resource(group, plural));
        Assert.Equal(normal, string.Join(",", columns.Where(c => c.Priority == 0).Select(c => c.Name)));
        Assert.Equal(wide, string.Join(",", columns.Where(c => c.Priority == 1).Select(c => c.Name)));
        Assert.All(columns, c => Assert.Contains(c.Type, new[] { "string", "integer", "boolean", "date" }));
    }

    [Fact]
    public void ToTable_KindWithoutPrinter_NameAndRfc3339CreatedAt()
    {
        var role = Parse("{'metadata':{'name':'reader','creationTimestamp':'2024-06-01T08:30:00Z'}}");
        var table = TableConverter.ToTable(Resource("rbac.authorization.k8s.io", "roles"), role, IncludeObjectPolicy.None, Now);
        Assert.Equal("date", table["columnDefinitions"]![1]!["type"]!.GetValue<string>());
        Assert.Equal("[\"reader\",\"2024-06-01T08:30:00Z\"]", table["rows"]![0]!["cells"]!.ToJsonString());
    }

    [Fact]
    public void ToTable_List_TableEnvelopeAndListMetadata()
    {
        var table = TableConverter.ToTable(Resource("", "configmaps"), [Parse("{'data':{'a':'1','b':'2'},'binaryData':{'c':'AA=='}}")], "1234", "next-page", 7, IncludeObjectPolicy.None, Now);
        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", table["apiVersion"]!.GetValue<string>());
        Assert.Equal("{\"resourceVersion\":\"1234\",\"continue\":\"next-page\",\"remainingItemCount\":7}", table["metadata"]!.ToJsonString());
        Assert.Equal("[\"x\",3,\"10m\"]", table["rows"]![0]!["cells"]!.ToJsonString());
    }

    [Fact]
    public void ToTable_ListWithoutPaging_EmptyMetadataAndEmptyRows()
    {
        var table = TableConverter.ToTable(Resource("", "configmaps"), [], null, null, null, IncludeObjectPolicy.Metadata, Now);
        Assert.Equal("{}", table["metadata"]!.ToJsonString());
        Assert.Empty(table["rows"]!.AsArray());
    }

    [Fact]
    public void ToTable_ColumnDefinition_EveryFieldSerialized()
    {
        var table = TableConverter.ToTable(Resource("", "pods"), [], null, null, null, IncludeObjectPolicy.None, Now);
        var name = table["columnDefinitions"]![0]!.AsObject();
        Assert.Equal(["name", "type", "format", "description", "priority"], name.Select(p => p.Key));
        Assert.Equal("name", name["format"]!.GetValue<string>());
        Assert.Equal(0, name["priority"]!.GetValue<int>());
        Assert.Equal("", table["columnDefinitions"]![1]!["format"]!.GetValue<string>());
    }

    [Fact]
    public void ToTable_NoHeaders_EmptyColumnDefinitionsButCells()
    {
        var table = TableConverter.ToTable(Resource("", "configmaps"), [Parse("{}")], null, null, null, IncludeObjectPolicy.None, Now, noHeaders: true);
        Assert.Empty(table["columnDefinitions"]!.AsArray());
        Assert.Equal(3, table["rows"]![0]!["cells"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(false, 9)]
    [InlineData(true, 0)]
    public void ToTable_WatchEventObject_HeadersOnlyWhenAsked(bool noHeaders, int expectedColumns)
    {
        var pod = Parse("{'metadata':{'name':'p','resourceVersion':'9'},'spec':{'containers':[{'name':'c'}]}}");
        var table = TableConverter.ToTable(Resource("", "pods"), pod, IncludeObjectPolicy.Metadata, Now, noHeaders);
        Assert.Equal(expectedColumns, table["columnDefinitions"]!.AsArray().Count);
        Assert.Equal(9, table["rows"]![0]!["cells"]!.AsArray().Count);
        Assert.Equal("9", table["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public void ToTable_SingleObject_OneRowAndObjectResourceVersion()
    {
        var cm = Parse("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'cfg','namespace':'default','resourceVersion':'77'}}");
        var table = TableConverter.ToTable(Resource("", "configmaps"), cm, IncludeObjectPolicy.Metadata, Now);
        Assert.Single(table["rows"]!.AsArray());
        Assert.Equal("77", table["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public void ToTable_IncludeNone_ObjectIsNull()
    {
        var table = TableConverter.ToTable(Resource("", "configmaps"), Parse("{}"), IncludeObjectPolicy.None, Now);
        var row = table["rows"]![0]!.AsObject();
        Assert.True(row.ContainsKey("object"));
        Assert.Null(row["object"]);
    }

    [Fact]
    public void ToTable_IncludeMetadata_PartialObjectMetadataWithWholeMetadata()
    {
        var cm = Parse("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'cfg','namespace':'ns','labels':{'a':'b'},'uid':'u1','resourceVersion':'5'},'data':{'secret':'value'}}");
        var table = TableConverter.ToTable(Resource("", "configmaps"), cm, IncludeObjectPolicy.Metadata, Now);
        var obj = table["rows"]![0]!["object"]!.AsObject();
        Assert.Equal("PartialObjectMetadata", obj["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", obj["apiVersion"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(cm["metadata"], obj["metadata"]));
        Assert.False(obj.ContainsKey("data"));
        Assert.NotSame(cm["metadata"], obj["metadata"]);
    }

    [Fact]
    public void ToTable_IncludeObject_FullObjectCopy()
    {
        var cm = Parse("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'cfg'},'data':{'k':'v'}}");
        var table = TableConverter.ToTable(Resource("", "configmaps"), cm, IncludeObjectPolicy.Object, Now);
        Assert.True(JsonNode.DeepEquals(cm, table["rows"]![0]!["object"]));
        Assert.Equal("{\"k\":\"v\"}", cm["data"]!.ToJsonString());
    }

    [Fact]
    public void ToTable_IncludeObjectForBareItem_AddsApiVersionAndKind()
    {
        var table = TableConverter.ToTable(Resource("apps", "deployments"), Parse("{}"), IncludeObjectPolicy.Object, Now);
        var obj = table["rows"]![0]!["object"]!;
        Assert.Equal("apps/v1", obj["apiVersion"]!.GetValue<string>());
        Assert.Equal("Deployment", obj["kind"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, IncludeObjectPolicy.Metadata)]
    [InlineData("", IncludeObjectPolicy.Metadata)]
    [InlineData("Metadata", IncludeObjectPolicy.Metadata)]
    [InlineData("None", IncludeObjectPolicy.None)]
    [InlineData("Object", IncludeObjectPolicy.Object)]
    public void TryParse_KnownValue_Policy(string? value, IncludeObjectPolicy expected)
    {
        Assert.True(IncludeObjectPolicyParser.TryParse(value, out var policy, out var error));
        Assert.Equal(expected, policy);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("object")]
    [InlineData("All")]
    public void TryParse_UnknownValue_BadRequestMessage(string value)
    {
        Assert.False(IncludeObjectPolicyParser.TryParse(value, out _, out var error));
        Assert.Equal($"unrecognized includeObject value: \"{value}\"", error);
    }

    private static int NameIndex(JsonArray columns) =>
        columns.Select((c, i) => (Name: c!["name"]!.GetValue<string>(), i)).First(c => c.Name == "Name").i;
}
