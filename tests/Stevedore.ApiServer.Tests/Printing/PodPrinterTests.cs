using System.Text.Json.Nodes;
using Stevedore.ApiServer.Printing;
using static Stevedore.ApiServer.Tests.Printing.TestObjects;

namespace Stevedore.ApiServer.Tests.Printing;

public class PodPrinterTests
{
    private const string OneContainer = "{'containers':[{'name':'app','image':'nginx'}]}";
    private const string OneInit = "{'initContainers':[{'name':'init'}],'containers':[{'name':'app'}]}";
    private const string TwoInits = "{'initContainers':[{'name':'a'},{'name':'b'}],'containers':[{'name':'app'}]}";
    private const string WithSidecar = "{'initContainers':[{'name':'proxy','restartPolicy':'Always'}],'containers':[{'name':'app'}]}";
    private const string TwoContainers = "{'containers':[{'name':'a'},{'name':'b'}]}";

    public static TheoryData<string, string, string, string, string> Statuses => new()
    {
        // name, spec, status, extra metadata, expected STATUS
        { "pending", OneContainer, "{'phase':'Pending'}", "", "Pending" },
        { "running", OneContainer, "{'phase':'Running','containerStatuses':[{'name':'app','ready':true,'state':{'running':{}}}]}", "", "Running" },
        { "creating", OneContainer, "{'phase':'Pending','containerStatuses':[{'name':'app','state':{'waiting':{'reason':'ContainerCreating'}}}]}", "", "ContainerCreating" },
        { "crashloop", OneContainer, "{'phase':'Running','containerStatuses':[{'name':'app','restartCount':2,'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}", "", "CrashLoopBackOff" },
        { "image pull", OneContainer, "{'phase':'Pending','containerStatuses':[{'name':'app','state':{'waiting':{'reason':'ImagePullBackOff'}}}]}", "", "ImagePullBackOff" },
        { "completed", OneContainer, "{'phase':'Succeeded','containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}", "", "Completed" },
        { "error", OneContainer, "{'phase':'Failed','containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':1,'reason':'Error'}}}]}", "", "Error" },
        { "exit code", OneContainer, "{'phase':'Failed','containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':137}}}]}", "", "ExitCode:137" },
        { "signal", OneContainer, "{'phase':'Failed','containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':0,'signal':9}}}]}", "", "Signal:9" },
        { "init pending", OneInit, "{'phase':'Pending','initContainerStatuses':[{'name':'init','state':{'waiting':{'reason':'PodInitializing'}}}]}", "", "Init:0/1" },
        { "init running", OneInit, "{'phase':'Pending','initContainerStatuses':[{'name':'init','state':{'running':{}}}]}", "", "Init:0/1" },
        { "second init", TwoInits, "{'phase':'Pending','initContainerStatuses':[{'name':'a','state':{'terminated':{'exitCode':0}}},{'name':'b','state':{'running':{}}}]}", "", "Init:1/2" },
        { "init crashloop", OneInit, "{'phase':'Pending','initContainerStatuses':[{'name':'init','state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}", "", "Init:CrashLoopBackOff" },
        { "init error", OneInit, "{'phase':'Pending','initContainerStatuses':[{'name':'init','state':{'terminated':{'exitCode':1,'reason':'Error'}}}]}", "", "Init:Error" },
        { "init exit code", OneInit, "{'phase':'Pending','initContainerStatuses':[{'name':'init','state':{'terminated':{'exitCode':2}}}]}", "", "Init:ExitCode:2" },
        { "init signal", OneInit, "{'phase':'Pending','initContainerStatuses':[{'name':'init','state':{'terminated':{'exitCode':1,'signal':15}}}]}", "", "Init:Signal:15" },
        { "init done", OneInit, "{'phase':'Running','conditions':[{'type':'Initialized','status':'True'}],'initContainerStatuses':[{'name':'init','state':{'terminated':{'exitCode':0,'reason':'Completed'}}}],'containerStatuses':[{'name':'app','ready':true,'state':{'running':{}}}]}", "", "Running" },
        { "terminating", OneContainer, "{'phase':'Running','containerStatuses':[{'name':'app','ready':true,'state':{'running':{}}}]}", "'deletionTimestamp':'2025-01-01T11:59:00Z'", "Terminating" },
        { "deleted after success", OneContainer, "{'phase':'Succeeded','containerStatuses':[{'name':'app','state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}", "'deletionTimestamp':'2025-01-01T11:59:00Z'", "Completed" },
        { "node lost", OneContainer, "{'phase':'Running','reason':'NodeLost'}", "'deletionTimestamp':'2025-01-01T11:59:00Z'", "Unknown" },
        { "evicted", OneContainer, "{'phase':'Failed','reason':'Evicted'}", "", "Evicted" },
        { "gated", OneContainer, "{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False','reason':'SchedulingGated'}]}", "", "SchedulingGated" },
        { "one done one ready", TwoContainers, "{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],'containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'b','ready':true,'state':{'running':{}}}]}", "", "Running" },
        { "one done one not ready", TwoContainers, "{'phase':'Running','conditions':[{'type':'Ready','status':'False'}],'containerStatuses':[{'name':'a','state':{'terminated':{'exitCode':0,'reason':'Completed'}}},{'name':'b','ready':true,'state':{'running':{}}}]}", "", "NotReady" },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Summarize_PodState_StatusLikeUpstream(string name, string spec, string status, string metadata, string expected)
    {
        var pod = Pod(spec, status, metadata);
        Assert.True(expected == PodPrinter.Summarize(pod, Now).Status, name);
    }

    [Theory]
    [InlineData(OneContainer, "{'containerStatuses':[{'name':'app','ready':true,'state':{'running':{}}}]}", "1/1")]
    [InlineData(OneContainer, "{'containerStatuses':[{'name':'app','ready':false,'state':{'running':{}}}]}", "0/1")]
    [InlineData(TwoContainers, "{'containerStatuses':[{'name':'a','ready':true,'state':{'running':{}}},{'name':'b','ready':true,'state':{'running':{}}}]}", "2/2")]
    [InlineData(TwoContainers, "{}", "0/2")]
    [InlineData(WithSidecar, "{'initContainerStatuses':[{'name':'proxy','started':true,'ready':true,'state':{'running':{}}}],'containerStatuses':[{'name':'app','ready':true,'state':{'running':{}}}]}", "2/2")]
    [InlineData(WithSidecar, "{'initContainerStatuses':[{'name':'proxy','started':true,'ready':false,'state':{'running':{}}}],'containerStatuses':[{'name':'app','ready':true,'state':{'running':{}}}]}", "1/2")]
    public void Summarize_ContainerReadiness_ReadyColumn(string spec, string status, string expected) =>
        Assert.Equal(expected, PodPrinter.Summarize(Pod(spec, status), Now).Ready);

    [Theory]
    [InlineData("{'containerStatuses':[{'name':'app','restartCount':0,'state':{'running':{}}}]}", "0")]
    [InlineData("{'containerStatuses':[{'name':'app','restartCount':3,'state':{'running':{}}}]}", "3")]
    [InlineData("{'containerStatuses':[{'name':'app','restartCount':2,'lastState':{'terminated':{'exitCode':1,'finishedAt':'2025-01-01T11:55:00Z'}},'state':{'running':{}}}]}", "2 (5m ago)")]
    [InlineData("{'containerStatuses':[{'name':'a','restartCount':1,'lastState':{'terminated':{'exitCode':1,'finishedAt':'2025-01-01T10:00:00Z'}}},{'name':'b','restartCount':4,'lastState':{'terminated':{'exitCode':1,'finishedAt':'2025-01-01T11:59:30Z'}}}]}", "5 (30s ago)")]
    [InlineData("{'containerStatuses':[{'name':'app','restartCount':7,'lastState':{'terminated':{'exitCode':1,'finishedAt':'2024-12-30T12:00:00Z'}}}]}", "7 (2d ago)")]
    public void Summarize_Restarts_CountAndLastRestartAge(string status, string expected) =>
        Assert.Equal(expected, PodPrinter.Summarize(Pod(TwoContainers, status), Now).Restarts);

    [Fact]
    public void Summarize_InitContainerRestartsWhileInitializing_CountsInitRestarts()
    {
        var pod = Pod(OneInit, "{'initContainerStatuses':[{'name':'init','restartCount':4,'state':{'waiting':{'reason':'CrashLoopBackOff'}}}],'containerStatuses':[{'name':'app','restartCount':0,'state':{'waiting':{'reason':'PodInitializing'}}}]}");
        Assert.Equal("4", PodPrinter.Summarize(pod, Now).Restarts);
    }

    [Fact]
    public void ToTable_Pod_WideCellsAndPlaceholders()
    {
        var pod = Pod(OneContainer, "{'phase':'Pending'}");
        var cells = Cells("", "pods", pod);
        Assert.Equal("<none>", cells.Text("IP"));
        Assert.Equal("<none>", cells.Text("Node"));
        Assert.Equal("<none>", cells.Text("Nominated Node"));
        Assert.Equal("<none>", cells.Text("Readiness Gates"));
        Assert.Equal("10m", cells.Text("Age"));
    }

    [Fact]
    public void ToTable_ScheduledPod_IpNodeAndReadinessGates()
    {
        var pod = Parse("{'metadata':{'name':'web'},'spec':{'nodeName':'n1','readinessGates':[{'conditionType':'a'},{'conditionType':'b'}],'containers':[{'name':'c'}]},"
            + "'status':{'phase':'Running','podIP':'10.0.0.9','podIPs':[{'ip':'10.0.0.9'},{'ip':'fd00::9'}],'nominatedNodeName':'n2','conditions':[{'type':'a','status':'True'},{'type':'b','status':'False'}]}}");
        var cells = Cells("", "pods", pod);
        Assert.Equal("web", cells.Text("Name"));
        Assert.Equal("10.0.0.9", cells.Text("IP"));
        Assert.Equal("n1", cells.Text("Node"));
        Assert.Equal("n2", cells.Text("Nominated Node"));
        Assert.Equal("1/2", cells.Text("Readiness Gates"));
    }

    [Theory]
    [InlineData("Succeeded", "Succeeded")]
    [InlineData("Failed", "Failed")]
    [InlineData("Running", null)]
    public void ToTable_FinishedPod_RowMarkedCompleted(string phase, string? expectedReason)
    {
        var pod = Pod(OneContainer, $"{{'phase':'{phase}'}}");
        var table = TableConverter.ToTable(Resource("", "pods"), pod, IncludeObjectPolicy.None, Now);
        var conditions = table["rows"]![0]!["conditions"];
        if (expectedReason is null)
        {
            Assert.Null(conditions);
            return;
        }
        Assert.Equal("Completed", conditions![0]!["type"]!.GetValue<string>());
        Assert.Equal("True", conditions[0]!["status"]!.GetValue<string>());
        Assert.Equal(expectedReason, conditions[0]!["reason"]!.GetValue<string>());
    }

    private static JsonObject Pod(string spec, string status, string metadata = "") =>
        Parse($"{{'metadata':{{'name':'p'{(metadata.Length > 0 ? "," + metadata : "")}}},'spec':{spec},'status':{status}}}");
}
