using System.Globalization;
using k8s.Models;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.EndpointSlice;
using Stevedore.Controllers.Tests.Endpoints;

namespace Stevedore.Controllers.Tests.EndpointSlice;

public sealed class EndpointSliceLogicTests
{
    private static V1Pod[] Pods(int count, int from = 0) =>
        [.. Enumerable.Range(from, count).Select(i => ServiceBuild.Pod($"p{i:D4}", $"10.42.{i / 250}.{(i % 250) + 1}"))];

    /// <summary>Makes planned slices look stored: names and resource versions, as the server would return them.</summary>
    private static List<V1EndpointSlice> Store(EndpointSlicePlan plan, List<V1EndpointSlice>? existing = null)
    {
        var stored = (existing ?? []).Where(s => plan.ToDelete.All(d => d.Metadata.Name != s.Metadata.Name)).ToList();
        foreach (var updated in plan.ToUpdate)
        {
            stored[stored.FindIndex(s => s.Metadata.Name == updated.Metadata.Name)] = updated;
        }

        var n = stored.Count;
        foreach (var created in plan.ToCreate)
        {
            var copy = ObjectCopy.Deep(created);
            copy.Metadata.Name = created.Metadata.GenerateName + (n++).ToString(CultureInfo.InvariantCulture);
            stored.Add(copy);
        }

        return stored;
    }

    [Fact]
    public void Plan_NewService_CreatesOneSliceWithConditionsLabelsAndOwner()
    {
        var service = ServiceBuild.Service(labels: new Dictionary<string, string> { ["team"] = "a" });
        var plan = EndpointSliceLogic.Plan(service, [ServiceBuild.Pod("a", "10.42.0.2", node: "n9"), ServiceBuild.Pod("b", "10.42.0.3", ready: false), ServiceBuild.Pod("c", "10.42.0.4", deleting: Build.Now)], []);
        var slice = Assert.Single(plan.ToCreate);
        Assert.Equal("web-", slice.Metadata.GenerateName);
        Assert.Equal("IPv4", slice.AddressType);
        Assert.Equal("web", slice.Metadata.Labels[EndpointSliceLogic.ServiceNameLabel]);
        Assert.Equal(EndpointSliceLogic.ControllerName, slice.Metadata.Labels[EndpointSliceLogic.ManagedByLabel]);
        Assert.Equal("a", slice.Metadata.Labels["team"]);
        var owner = Assert.Single(slice.Metadata.OwnerReferences);
        Assert.Equal(("Service", "svc-uid-web", true, true), (owner.Kind, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        Assert.Equal("http:8080/TCP", string.Join(",", slice.Ports.Select(p => $"{p.Name}:{p.Port}/{p.Protocol}")));

        var byIp = slice.Endpoints.ToDictionary(e => e.Addresses[0]);
        Assert.Equal((true, true, false), (byIp["10.42.0.2"].Conditions.Ready, byIp["10.42.0.2"].Conditions.Serving, byIp["10.42.0.2"].Conditions.Terminating));
        Assert.Equal((false, false, false), (byIp["10.42.0.3"].Conditions.Ready, byIp["10.42.0.3"].Conditions.Serving, byIp["10.42.0.3"].Conditions.Terminating));
        Assert.Equal((false, true, true), (byIp["10.42.0.4"].Conditions.Ready, byIp["10.42.0.4"].Conditions.Serving, byIp["10.42.0.4"].Conditions.Terminating));
        Assert.Equal("n9", byIp["10.42.0.2"].NodeName);
        Assert.Equal("a", byIp["10.42.0.2"].TargetRef.Name);
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(1, 1, 1)]
    [InlineData(100, 1, 100)]
    [InlineData(101, 2, 100)]
    [InlineData(250, 3, 100)]
    public void Plan_ManyPods_SplitsIntoSlicesOfAtMostAHundred(int pods, int slices, int largest)
    {
        var plan = EndpointSliceLogic.Plan(ServiceBuild.Service(), Pods(pods), []);
        Assert.Equal(slices, plan.ToCreate.Count);
        Assert.Equal(largest, plan.ToCreate.Max(s => s.Endpoints?.Count ?? 0));
        Assert.Equal(pods, plan.ToCreate.Sum(s => s.Endpoints?.Count ?? 0));
    }

    [Fact]
    public void Plan_AppliedAgain_IsANoOp()
    {
        var service = ServiceBuild.Service(clusterIP: "None");
        var pods = Pods(230);
        var stored = Store(EndpointSliceLogic.Plan(service, pods, []));
        Assert.True(EndpointSliceLogic.Plan(service, pods, stored).IsEmpty);
    }

    [Fact]
    public void Plan_OnePodTurnsNotReady_UpdatesOnlyItsSlice()
    {
        var service = ServiceBuild.Service();
        var pods = Pods(250);
        var stored = Store(EndpointSliceLogic.Plan(service, pods, []));
        pods[120] = ServiceBuild.Pod(pods[120].Metadata.Name, pods[120].Status.PodIP, ready: false);
        var plan = EndpointSliceLogic.Plan(service, pods, stored);
        Assert.Empty(plan.ToCreate);
        Assert.Empty(plan.ToDelete);
        var updated = Assert.Single(plan.ToUpdate);
        Assert.False(updated.Endpoints.Single(e => e.TargetRef.Name == pods[120].Metadata.Name).Conditions.Ready);
    }

    [Fact]
    public void Plan_PodsGoneAndNew_ReusesRoomBeforeCreating()
    {
        var service = ServiceBuild.Service();
        var stored = Store(EndpointSliceLogic.Plan(service, Pods(150), []));
        // 60 pods of the first slice leave, 30 new ones come: they fit into the freed room.
        var pods = Pods(40).Concat(Pods(50, from: 100)).Concat(Pods(30, from: 500)).ToArray();
        var plan = EndpointSliceLogic.Plan(service, pods, stored);
        Assert.Empty(plan.ToCreate);
        Assert.Empty(plan.ToDelete);
        var after = Store(plan, stored);
        Assert.Equal(120, after.Sum(s => s.Endpoints.Count));
        Assert.All(after, s => Assert.InRange(s.Endpoints.Count, 1, 100));
    }

    [Fact]
    public void Plan_AllPodsGone_LeavesOnePlaceholder()
    {
        var service = ServiceBuild.Service();
        var stored = Store(EndpointSliceLogic.Plan(service, Pods(150), []));
        var plan = EndpointSliceLogic.Plan(service, [], stored);
        var placeholder = Assert.Single(plan.ToCreate);
        Assert.Empty(placeholder.Endpoints);
        Assert.Empty(placeholder.Ports);
        Assert.Equal(2, plan.ToDelete.Count);
        Assert.True(EndpointSliceLogic.Plan(service, [], Store(plan, stored)).IsEmpty);
    }

    [Fact]
    public void Plan_NamedPortResolvingDifferently_GroupsPodsBySlicePorts()
    {
        var service = ServiceBuild.Service(ports: [new V1ServicePort { Name = "web", Port = 80, TargetPort = "http", Protocol = "TCP" }]);
        var plan = EndpointSliceLogic.Plan(service,
        [
            ServiceBuild.Pod("a", "10.42.0.2", containerPorts: [new V1ContainerPort { Name = "http", ContainerPort = 8080 }]),
            ServiceBuild.Pod("b", "10.42.0.3", containerPorts: [new V1ContainerPort { Name = "http", ContainerPort = 9090 }]),
            ServiceBuild.Pod("c", "10.42.0.4", containerPorts: [new V1ContainerPort { Name = "http", ContainerPort = 9090 }]),
        ], []);
        Assert.Equal(2, plan.ToCreate.Count);
        var byPort = plan.ToCreate.ToDictionary(s => s.Ports.Single().Port!.Value, s => s.Endpoints.Count);
        Assert.Equal(1, byPort[8080]);
        Assert.Equal(2, byPort[9090]);
    }

    [Fact]
    public void Plan_SliceOfAnEarlierServiceWithTheSameName_IsDeleted()
    {
        var service = ServiceBuild.Service();
        var stale = Store(EndpointSliceLogic.Plan(ServiceBuild.Service(), Pods(3), []));
        stale[0].Metadata.OwnerReferences[0].Uid = "an-older-uid";
        var plan = EndpointSliceLogic.Plan(service, Pods(3), stale);
        Assert.Single(plan.ToDelete);
        Assert.Single(plan.ToCreate);
    }

    [Fact]
    public void Plan_ServiceWithoutSelectorOrExternalName_PlansNothing()
    {
        Assert.True(EndpointSliceLogic.Plan(ServiceBuild.Service(selector: new Dictionary<string, string>()), Pods(3), []).IsEmpty);
        Assert.True(EndpointSliceLogic.Plan(ServiceBuild.Service(type: "ExternalName"), Pods(3), []).IsEmpty);
    }

    [Fact]
    public void Plan_HostnameAndHeadlessLabel_ForAStatefulSetIdentity()
    {
        var service = ServiceBuild.Service(name: "nginx", clusterIP: "None");
        var plan = EndpointSliceLogic.Plan(service, [ServiceBuild.Pod("web-0", "10.42.0.2", hostname: "web-0", subdomain: "nginx")], []);
        var slice = Assert.Single(plan.ToCreate);
        Assert.Equal("", slice.Metadata.Labels[EndpointRules.HeadlessLabel]);
        Assert.Equal("web-0", slice.Endpoints.Single().Hostname);
    }

    [Fact]
    public void Plan_PublishNotReadyAddresses_MarksEveryEndpointReady()
    {
        var plan = EndpointSliceLogic.Plan(ServiceBuild.Service(publishNotReady: true), [ServiceBuild.Pod("a", "10.42.0.2", ready: false)], []);
        var conditions = plan.ToCreate.Single().Endpoints.Single().Conditions;
        Assert.True(conditions.Ready);
        Assert.False(conditions.Serving);
    }
}
