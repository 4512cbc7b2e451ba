using Stevedore.ApiServer.Printing;
using static Stevedore.ApiServer.Tests.Printing.TestObjects;

namespace Stevedore.ApiServer.Tests.Printing;

public class ClusterPrinterTests
{
    [Theory]
    [InlineData("[{'type':'Ready','status':'True'}]", "false", "Ready")]
    [InlineData("[{'type':'Ready','status':'False'}]", "false", "NotReady")]
    [InlineData("[{'type':'Ready','status':'Unknown'}]", "false", "NotReady")]
    [InlineData("[{'type':'MemoryPressure','status':'False'}]", "false", "Unknown")]
    [InlineData("[{'type':'Ready','status':'True'}]", "true", "Ready,SchedulingDisabled")]
    public void NodeStatus_Conditions_UpstreamWords(string conditions, string unschedulable, string expected) =>
        Assert.Equal(expected, NodePrinter.Status(Parse($"{{'spec':{{'unschedulable':{unschedulable}}},'status':{{'conditions':{conditions}}}}}")));

    [Theory]
    [InlineData("{}", "<none>")]
    [InlineData("{'node-role.kubernetes.io/control-plane':'','node-role.kubernetes.io/etcd':'true'}", "control-plane,etcd")]
    [InlineData("{'kubernetes.io/role':'worker','node-role.kubernetes.io/':''}", "worker")]
    public void NodeRoles_Labels_SortedRoles(string labels, string expected) =>
        Assert.Equal(expected, NodePrinter.Roles(Parse($"{{'metadata':{{'labels':{labels}}}}}")));

    [Fact]
    public void ToTable_Node_WideCells()
    {
        var node = Parse("{'metadata':{'name':'n1'},'status':{'conditions':[{'type':'Ready','status':'True'}],'addresses':[{'type':'Hostname','address':'n1'},{'type':'InternalIP','address':'192.168.1.5'}],"
            + "'nodeInfo':{'kubeletVersion':'v1.33.0','osImage':'Debian GNU/Linux 12','kernelVersion':'6.1.0','containerRuntimeVersion':''}}}");
        var cells = Cells("", "nodes", node);
        Assert.Equal(["n1", "Ready", "<none>", "10m", "v1.33.0", "192.168.1.5", "<none>", "Debian GNU/Linux 12", "6.1.0", "<unknown>"], cells.Keys.Select(cells.Text));
    }

    [Fact]
    public void ToTable_CoreEvent_Cells()
    {
        var ev = Parse("{'metadata':{'name':'web.17a'},'involvedObject':{'kind':'Pod','name':'web','fieldPath':'spec.containers{app}'},'reason':'Pulled','message':' pulled image \\n','type':'Normal',"
            + "'firstTimestamp':'2025-01-01T11:00:00Z','lastTimestamp':'2025-01-01T11:58:00Z','count':3,'source':{'component':'kubelet','host':'n1'}}");
        var cells = Cells("", "events", ev);
        Assert.Equal(["2m", "Normal", "Pulled", "pod/web", "spec.containers{app}", "kubelet, n1", "pulled image", "60m", "3", "web.17a"], cells.Keys.Select(cells.Text));
    }

    [Fact]
    public void ToTable_NewApiEvent_SeriesAndReportingController()
    {
        var ev = Parse("{'metadata':{'name':'e'},'regarding':{'kind':'Node','name':'n1'},'reason':'Ready','note':'node ready','type':'Normal','eventTime':'2025-01-01T11:50:00.000000Z',"
            + "'reportingController':'stevedore/node','reportingInstance':'n1','series':{'count':5,'lastObservedTime':'2025-01-01T11:59:00.000000Z'}}");
        var cells = Cells("events.k8s.io", "events", ev);
        Assert.Equal(["60s", "Normal", "Ready", "node/n1", "", "stevedore/node, n1", "node ready", "10m", "5", "e"], cells.Keys.Select(cells.Text));
    }

    [Fact]
    public void ToTable_SingletonEventWithoutTimestamps_CountOneAndEventTime()
    {
        var cells = Cells("", "events", Parse("{'involvedObject':{'kind':'Namespace'},'eventTime':'2025-01-01T11:59:50.123456Z'}"));
        // 9.876s truncates to 9s, as Go's int(d.Seconds()) does.
        Assert.Equal("9s", cells.Text("Last Seen"));
        Assert.Equal("namespace", cells.Text("Object"));
        Assert.Equal("1", cells.Text("Count"));
    }

    [Fact]
    public void ToTable_PersistentVolume_Cells()
    {
        var pv = Parse("{'metadata':{'name':'pv1'},'spec':{'capacity':{'storage':'1024Mi'},'accessModes':['ReadWriteMany','ReadWriteOnce','ReadWriteOnce'],'persistentVolumeReclaimPolicy':'Retain',"
            + "'claimRef':{'namespace':'default','name':'data'},'storageClassName':'local-path'},'status':{'phase':'Bound'}}");
        var cells = Cells("", "persistentvolumes", pv);
        Assert.Equal(["pv1", "1Gi", "RWO,RWX", "Retain", "Bound", "default/data", "local-path", "<unset>", "", "10m", "<unset>"], cells.Keys.Select(cells.Text));
    }

    [Theory]
    [InlineData("{'storageClassName':'fast','resources':{'requests':{'storage':'5Gi'}}}", "{'phase':'Pending'}", "", "Pending,,,,fast")]
    [InlineData("{'volumeName':'pv1','storageClassName':'fast','volumeMode':'Filesystem'}", "{'phase':'Bound','capacity':{'storage':'5Gi'},'accessModes':['ReadWriteOnce']}", "", "Bound,pv1,5Gi,RWO,fast")]
    [InlineData("{'storageClassName':'fast'}", "{'phase':'Bound'}", "'annotations':{'volume.beta.kubernetes.io/storage-class':'old'},'deletionTimestamp':'2025-01-01T11:00:00Z'", "Terminating,,,,old")]
    public void ToTable_PersistentVolumeClaim_BoundOnlyShowsCapacity(string spec, string status, string metadata, string expected)
    {
        var pvc = Parse($"{{'metadata':{{'name':'c'{(metadata.Length > 0 ? "," + metadata : "")}}},'spec':{spec},'status':{status}}}");
        var cells = Cells("", "persistentvolumeclaims", pvc);
        Assert.Equal(expected, string.Join(",", new[] { "Status", "Volume", "Capacity", "Access Modes", "StorageClass" }.Select(cells.Text)));
    }

    [Fact]
    public void ToTable_DefaultStorageClass_NameSuffixAndDefaults()
    {
        var sc = Parse("{'metadata':{'name':'local-path','annotations':{'storageclass.kubernetes.io/is-default-class':'true'}},'provisioner':'stevedore.io/local-path'}");
        var cells = Cells("storage.k8s.io", "storageclasses", sc);
        Assert.Equal(["local-path (default)", "stevedore.io/local-path", "Delete", "Immediate", "false", "10m"], cells.Keys.Select(cells.Text));
    }

    [Fact]
    public void ToTable_ResourceQuota_RequestsAndLimitsSplit()
    {
        var quota = Parse("{'status':{'hard':{'pods':'10','limits.memory':'2Gi','requests.cpu':'1','limits.cpu':'2'},'used':{'pods':'3','requests.cpu':'500m','limits.cpu':'1'}}}");
        var cells = Cells("", "resourcequotas", quota);
        Assert.Equal("pods: 3/10, requests.cpu: 500m/1", cells.Text("Request"));
        Assert.Equal("limits.cpu: 1/2, limits.memory: 0/2Gi", cells.Text("Limit"));
    }

    [Theory]
    [InlineData("{'minAvailable':1}", "1", "N/A")]
    [InlineData("{'maxUnavailable':'25%'}", "N/A", "25%")]
    public void ToTable_PodDisruptionBudget_IntOrString(string spec, string min, string max)
    {
        var cells = Cells("policy", "poddisruptionbudgets", Parse($"{{'spec':{spec},'status':{{'disruptionsAllowed':2}}}}"));
        Assert.Equal([min, max, "2"], new[] { "Min Available", "Max Unavailable", "Allowed Disruptions" }.Select(cells.Text));
    }

    [Theory]
    [InlineData("[]", "[]", "<none>")]
    [InlineData("[{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','averageUtilization':80}}}]", "[]", "cpu: <unknown>/80%")]
    [InlineData("[{'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','averageUtilization':80}}}]", "[{'type':'Resource','resource':{'name':'cpu','current':{'averageUtilization':40,'averageValue':'120m'}}}]", "cpu: 40%/80%")]
    [InlineData("[{'type':'Resource','resource':{'name':'memory','target':{'type':'AverageValue','averageValue':'512Mi'}}}]", "[{'type':'Resource','resource':{'name':'memory','current':{'averageValue':'256Mi'}}}]", "memory: 256Mi/512Mi")]
    [InlineData("[{'type':'Pods','pods':{'target':{'averageValue':'1k'}}},{'type':'External','external':{'target':{'value':'10'}}},{'type':'Object','object':{'target':{'averageValue':'5'}}}]", "[]", "<unknown>/1k, <unknown>/10 + 1 more...")]
    public void HpaTargets_Metrics_UpstreamFormat(string metrics, string current, string expected) =>
        Assert.Equal(expected, PolicyPrinters.HpaTargets(Parse($"{{'spec':{{'metrics':{metrics}}},'status':{{'currentMetrics':{current}}}}}")));

    [Fact]
    public void ToTable_Hpa_ReferenceAndBounds()
    {
        var cells = Cells("autoscaling", "horizontalpodautoscalers", Parse("{'spec':{'scaleTargetRef':{'kind':'Deployment','name':'web'},'maxReplicas':5},'status':{'currentReplicas':2}}"));
        Assert.Equal(["Deployment/web", "<none>", "<unset>", "5", "2"], new[] { "Reference", "Targets", "MinPods", "MaxPods", "Replicas" }.Select(cells.Text));
    }

    [Fact]
    public void ToTable_RoleBinding_SubjectsByKind()
    {
        var rb = Parse("{'roleRef':{'kind':'ClusterRole','name':'view'},'subjects':[{'kind':'User','name':'alice'},{'kind':'User','name':'bob'},{'kind':'Group','name':'devs'},{'kind':'ServiceAccount','name':'ci','namespace':'build'}]}");
        var cells = Cells("rbac.authorization.k8s.io", "rolebindings", rb);
        Assert.Equal(["x", "ClusterRole/view", "10m", "alice, bob", "devs", "build/ci"], cells.Keys.Select(cells.Text));
    }

    [Fact]
    public void ToTable_SmallKinds_Counts()
    {
        Assert.Equal("2", Cells("", "secrets", Parse("{'type':'Opaque','data':{'a':'','b':''}}")).Text("Data"));
        Assert.Equal("Opaque", Cells("", "secrets", Parse("{'type':'Opaque'}")).Text("Type"));
        Assert.Equal("1", Cells("", "serviceaccounts", Parse("{'secrets':[{'name':'t'}]}")).Text("Secrets"));
        Assert.Equal("2", Cells("admissionregistration.k8s.io", "mutatingwebhookconfigurations", Parse("{'webhooks':[{},{}]}")).Text("Webhooks"));
        Assert.Equal("Active", Cells("", "namespaces", Parse("{'status':{'phase':'Active'}}")).Text("Status"));
        Assert.Equal("kube-scheduler-1", Cells("coordination.k8s.io", "leases", Parse("{'spec':{'holderIdentity':'kube-scheduler-1'}}")).Text("Holder"));
        var pc = Cells("scheduling.k8s.io", "priorityclasses", Parse("{'value':2000000000,'globalDefault':false,'preemptionPolicy':'PreemptLowerPriority'}"));
        Assert.Equal(["2000000000", "false", "PreemptLowerPriority"], new[] { "Value", "Global-Default", "PreemptionPolicy" }.Select(pc.Text));
    }
}
