using k8s.Models;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.Endpoints;

namespace Stevedore.Controllers.Tests.Endpoints;

public sealed class EndpointsLogicTests
{
    private static string Render(IList<V1EndpointSubset>? subsets) =>
        string.Join(" | ", (subsets ?? []).Select(s =>
            $"ready[{string.Join(",", (s.Addresses ?? []).Select(a => a.Ip + (a.Hostname is null ? "" : "=" + a.Hostname)))}] " +
            $"notready[{string.Join(",", (s.NotReadyAddresses ?? []).Select(a => a.Ip))}] " +
            $"ports[{string.Join(",", (s.Ports ?? []).Select(p => $"{p.Name}:{p.Port}/{p.Protocol}"))}]"));

    public static TheoryData<string, V1Service, V1Pod[], string> Cases => new()
    {
        {
            "ready and not ready pods",
            ServiceBuild.Service(),
            [ServiceBuild.Pod("a", "10.42.0.2"), ServiceBuild.Pod("b", "10.42.0.3", ready: false), ServiceBuild.Pod("c", "10.42.0.4")],
            "ready[10.42.0.2,10.42.0.4] notready[10.42.0.3] ports[http:8080/TCP]"
        },
        {
            "publishNotReadyAddresses lists every pod as ready, terminating ones too",
            ServiceBuild.Service(publishNotReady: true),
            [ServiceBuild.Pod("a", "10.42.0.2", ready: false), ServiceBuild.Pod("b", "10.42.0.3", deleting: Build.Now)],
            "ready[10.42.0.2,10.42.0.3] notready[] ports[http:8080/TCP]"
        },
        {
            "terminating, finished, IP-less and unselected pods are left out",
            ServiceBuild.Service(),
            [
                ServiceBuild.Pod("a", "10.42.0.2", deleting: Build.Now), ServiceBuild.Pod("b", "10.42.0.3", phase: "Succeeded"),
                ServiceBuild.Pod("c", ""), ServiceBuild.Pod("d", "10.42.0.5", labels: new Dictionary<string, string> { ["app"] = "db" }),
                ServiceBuild.Pod("e", "10.42.0.6"),
            ],
            "ready[10.42.0.6] notready[] ports[http:8080/TCP]"
        },
        {
            "a named target port resolves per pod; pods without it get a subset of their own",
            ServiceBuild.Service(ports: [new V1ServicePort { Name = "web", Port = 80, TargetPort = "http", Protocol = "TCP" }]),
            [
                ServiceBuild.Pod("a", "10.42.0.2", containerPorts: [new V1ContainerPort { Name = "http", ContainerPort = 8080 }]),
                ServiceBuild.Pod("b", "10.42.0.3", containerPorts: [new V1ContainerPort { Name = "http", ContainerPort = 9090 }]),
                ServiceBuild.Pod("c", "10.42.0.4"),
            ],
            "ready[10.42.0.2] notready[] ports[web:8080/TCP] | ready[10.42.0.3] notready[] ports[web:9090/TCP]"
        },
        {
            "two ports served by the same pods share one subset",
            ServiceBuild.Service(ports: [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080 }, new V1ServicePort { Name = "https", Port = 443, TargetPort = 8443 }]),
            [ServiceBuild.Pod("a", "10.42.0.2"), ServiceBuild.Pod("b", "10.42.0.3")],
            "ready[10.42.0.2,10.42.0.3] notready[] ports[http:8080/TCP,https:8443/TCP]"
        },
        {
            "headless without ports lists addresses with hostnames of its subdomain",
            ServiceBuild.Service(name: "db", clusterIP: "None", ports: []),
            [ServiceBuild.Pod("db-0", "10.42.0.2", hostname: "db-0", subdomain: "db"), ServiceBuild.Pod("db-1", "10.42.0.3", hostname: "db-1", subdomain: "other")],
            "ready[10.42.0.2=db-0,10.42.0.3] notready[] ports[]"
        },
        {
            "no pods, no subsets",
            ServiceBuild.Service(),
            [],
            ""
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_NewService_CreatesEndpointsWithTheseSubsets(string why, V1Service service, V1Pod[] pods, string expected)
    {
        var decision = EndpointsLogic.Decide(service, pods, current: null);
        Assert.NotNull(decision.ToCreate);
        Assert.True(expected == Render(decision.ToCreate!.Subsets), why + ": " + Render(decision.ToCreate!.Subsets));
        Assert.Equal(service.Metadata.Name, decision.ToCreate.Metadata.Name);
    }

    [Fact]
    public void Decide_AddressCarriesNodeNameAndPodReference()
    {
        var decision = EndpointsLogic.Decide(ServiceBuild.Service(), [ServiceBuild.Pod("a", "10.42.0.2", node: "node-7")], null);
        var address = decision.ToCreate!.Subsets[0].Addresses[0];
        Assert.Equal("node-7", address.NodeName);
        Assert.Equal(("Pod", "default", "a", "uid-a"), (address.TargetRef.Kind, address.TargetRef.NamespaceProperty, address.TargetRef.Name, address.TargetRef.Uid));
    }

    [Fact]
    public void Decide_CurrentAlreadyRight_WritesNothing()
    {
        var service = ServiceBuild.Service(labels: new Dictionary<string, string> { ["team"] = "a" });
        var pods = new[] { ServiceBuild.Pod("a", "10.42.0.2"), ServiceBuild.Pod("b", "10.42.0.3", ready: false) };
        var created = EndpointsLogic.Decide(service, pods, null).ToCreate!;
        created.Metadata.ResourceVersion = "7";
        Assert.Same(EndpointsDecision.Nothing, EndpointsLogic.Decide(service, pods, created));
    }

    [Fact]
    public void Decide_PodTurnsNotReady_UpdatesAndKeepsResourceVersion()
    {
        var service = ServiceBuild.Service();
        var current = EndpointsLogic.Decide(service, [ServiceBuild.Pod("a", "10.42.0.2")], null).ToCreate!;
        current.Metadata.ResourceVersion = "7";
        var decision = EndpointsLogic.Decide(service, [ServiceBuild.Pod("a", "10.42.0.2", ready: false)], current);
        Assert.Null(decision.ToCreate);
        Assert.Equal("7", decision.ToUpdate!.Metadata.ResourceVersion);
        Assert.Equal("ready[] notready[10.42.0.2] ports[http:8080/TCP]", Render(decision.ToUpdate.Subsets));
    }

    [Fact]
    public void Decide_ServiceWithoutSelector_LeavesUserEndpointsAlone()
    {
        var service = ServiceBuild.Service(selector: new Dictionary<string, string>());
        var userEndpoints = new V1Endpoints { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" }, Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "192.168.1.1" }] }] };
        Assert.Same(EndpointsDecision.Nothing, EndpointsLogic.Decide(service, [ServiceBuild.Pod("a", "10.42.0.2")], userEndpoints));
        Assert.Same(EndpointsDecision.Nothing, EndpointsLogic.Decide(service, [ServiceBuild.Pod("a", "10.42.0.2")], null));
    }

    [Fact]
    public void Decide_ExternalName_WritesNothing() =>
        Assert.Same(EndpointsDecision.Nothing, EndpointsLogic.Decide(ServiceBuild.Service(type: "ExternalName"), [ServiceBuild.Pod("a", "10.42.0.2")], null));

    [Fact]
    public void Decide_Headless_LabelsTheEndpoints()
    {
        var decision = EndpointsLogic.Decide(ServiceBuild.Service(clusterIP: "None", labels: new Dictionary<string, string> { ["team"] = "a" }), [], null);
        Assert.Equal("", decision.ToCreate!.Metadata.Labels[EndpointRules.HeadlessLabel]);
        Assert.Equal("a", decision.ToCreate.Metadata.Labels["team"]);
    }

    [Fact]
    public void Decide_MoreThanAThousandPods_TruncatesReadyFirstAndAnnotates()
    {
        var pods = Enumerable.Range(0, 1100).Select(i => ServiceBuild.Pod($"p{i:D4}", $"10.42.{i / 250}.{i % 250 + 1}", ready: i % 11 != 0)).ToArray();
        var endpoints = EndpointsLogic.Decide(ServiceBuild.Service(), pods, null).ToCreate!;
        Assert.Equal("truncated", endpoints.Metadata.Annotations[EndpointsLogic.OverCapacityAnnotation]);
        var ready = endpoints.Subsets.Sum(s => s.Addresses?.Count ?? 0);
        var notReady = endpoints.Subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0);
        Assert.Equal(1000, ready + notReady);
        Assert.Equal(1000, ready); // exactly 1000 ready pods: not-ready ones are dropped first
        Assert.Equal(0, notReady);
    }
}
