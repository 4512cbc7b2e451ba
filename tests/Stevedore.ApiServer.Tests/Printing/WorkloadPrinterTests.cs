using Stevedore.ApiServer.Printing;
using static Stevedore.ApiServer.Tests.Printing.TestObjects;

namespace Stevedore.ApiServer.Tests.Printing;

public class WorkloadPrinterTests
{
    [Theory]
    [InlineData("{'replicas':3}", "{'readyReplicas':2}", "2/3")]
    [InlineData("{'replicas':3}", "{}", "0/3")]
    [InlineData("{'replicas':0}", "{}", "0/0")]
    [InlineData("{}", "{'readyReplicas':1}", "1/1")]
    public void DeploymentReady_Replicas_ReadyOverDesired(string spec, string status, string expected) =>
        Assert.Equal(expected, WorkloadPrinters.DeploymentReady(Parse($"{{'spec':{spec},'status':{status}}}")));

    [Fact]
    public void ToTable_Deployment_AllCells()
    {
        var deployment = Parse("{'metadata':{'name':'web'},'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'env','operator':'In','values':['prod','dev']}]},"
            + "'template':{'spec':{'containers':[{'name':'nginx','image':'nginx:1.25'},{'name':'log','image':'busybox'}]}}},"
            + "'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}");
        var cells = Cells("apps", "deployments", deployment);
        Assert.Equal(["web", "2/3", "3", "2", "10m", "nginx,log", "nginx:1.25,busybox", "app=web,env in (dev,prod)"], cells.Keys.Select(cells.Text));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, cells["Up-to-date"]!.GetValueKind());
    }

    [Fact]
    public void ToTable_ReplicaSetAndStatefulSetAndDaemonSet_Counts()
    {
        var rs = Cells("apps", "replicasets", Parse("{'spec':{'replicas':2,'selector':{'matchLabels':{'a':'b'}}},'status':{'replicas':2,'readyReplicas':1}}"));
        Assert.Equal(["x", "2", "2", "1", "10m", "", "", "a=b"], rs.Keys.Select(rs.Text));

        var sts = Cells("apps", "statefulsets", Parse("{'spec':{'replicas':3},'status':{'readyReplicas':3}}"));
        Assert.Equal("3/3", sts.Text("Ready"));

        var ds = Cells("apps", "daemonsets", Parse("{'spec':{'template':{'spec':{'nodeSelector':{'kubernetes.io/os':'linux'}}}},'status':{'desiredNumberScheduled':1,'currentNumberScheduled':1,'numberReady':0,'updatedNumberScheduled':1,'numberAvailable':0}}"));
        Assert.Equal(["x", "1", "1", "0", "1", "0", "kubernetes.io/os=linux", "10m", "", "", "<none>"], ds.Keys.Select(ds.Text));
    }

    [Theory]
    [InlineData("[]", "", "Running")]
    [InlineData("[{'type':'Complete','status':'True'}]", "", "Complete")]
    [InlineData("[{'type':'Failed','status':'True'}]", "", "Failed")]
    [InlineData("[{'type':'Complete','status':'False'}]", "", "Running")]
    [InlineData("[{'type':'Suspended','status':'True'}]", "", "Suspended")]
    [InlineData("[{'type':'FailureTarget','status':'True'}]", "", "FailureTarget")]
    [InlineData("[{'type':'Suspended','status':'True'}]", "'deletionTimestamp':'2025-01-01T11:00:00Z'", "Terminating")]
    [InlineData("[{'type':'Complete','status':'True'}]", "'deletionTimestamp':'2025-01-01T11:00:00Z'", "Complete")]
    public void JobStatus_Conditions_UpstreamPrecedence(string conditions, string metadata, string expected) =>
        Assert.Equal(expected, WorkloadPrinters.JobStatus(Parse($"{{'metadata':{{'name':'j'{(metadata.Length > 0 ? "," + metadata : "")}}},'status':{{'conditions':{conditions}}}}}")));

    [Theory]
    [InlineData("{'completions':3,'parallelism':1}", "{'succeeded':1}", "1/3")]
    [InlineData("{'parallelism':1}", "{}", "0/1")]
    [InlineData("{'parallelism':4}", "{'succeeded':2}", "2/1 of 4")]
    [InlineData("{}", "{}", "0/1")]
    public void JobCompletions_Spec_UpstreamFormat(string spec, string status, string expected) =>
        Assert.Equal(expected, WorkloadPrinters.JobCompletions(Parse($"{{'spec':{spec},'status':{status}}}")));

    [Theory]
    [InlineData("{}", "")]
    [InlineData("{'startTime':'2025-01-01T11:55:00Z'}", "5m")]
    [InlineData("{'startTime':'2025-01-01T10:00:00Z','completionTime':'2025-01-01T10:00:42Z'}", "42s")]
    public void ToTable_Job_Duration(string status, string expected) =>
        Assert.Equal(expected, Cells("batch", "jobs", Parse($"{{'spec':{{'template':{{'spec':{{'containers':[]}}}}}},'status':{status}}}")).Text("Duration"));

    [Fact]
    public void ToTable_CronJob_Cells()
    {
        var cj = Parse("{'spec':{'schedule':'*/5 * * * *','suspend':false,'jobTemplate':{'spec':{'template':{'spec':{'containers':[{'name':'c','image':'busybox'}]}}}}},"
            + "'status':{'active':[{'name':'j1'}],'lastScheduleTime':'2025-01-01T11:58:00Z'}}");
        var cells = Cells("batch", "cronjobs", cj);
        Assert.Equal(["x", "*/5 * * * *", "<none>", "False", "1", "2m", "10m", "c", "busybox", "<none>"], cells.Keys.Select(cells.Text));
    }

    [Fact]
    public void ToTable_CronJobNeverScheduled_NoneLastSchedule() =>
        Assert.Equal("<none>", Cells("batch", "cronjobs", Parse("{'spec':{'schedule':'@daily','timeZone':'Etc/UTC'}}")).Text("Last Schedule"));

    [Theory]
    [InlineData("[{'apiVersion':'apps/v1','kind':'DaemonSet','name':'ds','controller':true}]", "daemonset.apps/ds")]
    [InlineData("[{'apiVersion':'v1','kind':'Pod','name':'p','controller':true}]", "pod/p")]
    [InlineData("[{'apiVersion':'apps/v1','kind':'DaemonSet','name':'ds'}]", "<none>")]
    public void ToTable_ControllerRevision_Controller(string owners, string expected)
    {
        var cells = Cells("apps", "controllerrevisions", Parse($"{{'metadata':{{'name':'r','ownerReferences':{owners}}},'revision':4}}"));
        Assert.Equal(expected, cells.Text("Controller"));
        Assert.Equal("4", cells.Text("Revision"));
    }
}
