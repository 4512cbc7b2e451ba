using k8s.Models;
using Stevedore.Controllers.Common;
using Stevedore.Controllers.Tests.Endpoints;

namespace Stevedore.Controllers.Tests.Common;

public sealed class EndpointRulesTests
{
    [Theory]
    [InlineData("8080", "TCP", 8080)]
    [InlineData("http", "TCP", 9000)]
    [InlineData("http", "UDP", null)]
    [InlineData("dns", "UDP", 5353)]
    [InlineData("metrics", "TCP", 9100)]
    [InlineData("missing", "TCP", null)]
    public void FindPort_ResolvesNumbersAsIsAndNamesPerPod(string target, string protocol, int? expected)
    {
        var pod = ServiceBuild.Pod("p", "10.42.0.5", containerPorts:
        [
            new V1ContainerPort { Name = "http", ContainerPort = 9000, Protocol = "TCP" },
            new V1ContainerPort { Name = "dns", ContainerPort = 5353, Protocol = "UDP" },
        ]);
        pod.Spec.InitContainers = [new V1Container { Name = "sidecar", RestartPolicy = "Always", Ports = [new V1ContainerPort { Name = "metrics", ContainerPort = 9100 }] }];
        var port = new V1ServicePort { Port = 80, TargetPort = target, Protocol = protocol };
        Assert.Equal(expected, EndpointRules.FindPort(pod, port));
    }

    [Theory]
    [InlineData("Running", "10.42.0.5", false, false, true)]
    [InlineData("Pending", "10.42.0.5", false, false, true)]
    [InlineData("Running", "", false, false, false)]
    [InlineData("Succeeded", "10.42.0.5", false, false, false)]
    [InlineData("Failed", "10.42.0.5", false, true, false)]
    [InlineData("Running", "10.42.0.5", true, false, false)]
    [InlineData("Running", "10.42.0.5", true, true, true)]
    public void ShouldPodBeInEndpoints_FollowsPhaseIPAndTermination(string phase, string ip, bool terminating, bool includeTerminating, bool expected)
    {
        var pod = ServiceBuild.Pod("p", ip, phase: phase, deleting: terminating ? Build.Now : null);
        Assert.Equal(expected, EndpointRules.ShouldPodBeInEndpoints(pod, includeTerminating));
    }

    [Theory]
    [InlineData("web-0", "web", "web", true)]
    [InlineData("web-0", "other", "web", false)]
    [InlineData(null, "web", "web", false)]
    public void ShouldSetHostname_OnlyWhenTheSubdomainNamesTheService(string? hostname, string subdomain, string service, bool expected) =>
        Assert.Equal(expected, EndpointRules.ShouldSetHostname(ServiceBuild.Pod("p", "10.42.0.5", hostname: hostname, subdomain: subdomain), ServiceBuild.Service(service)));

    [Fact]
    public void Selects_EmptySelectorSelectsNothing()
    {
        var service = ServiceBuild.Service(selector: new Dictionary<string, string>());
        Assert.False(EndpointRules.HasSelector(service));
        Assert.False(EndpointRules.Selects(service, ServiceBuild.Pod("p", "10.42.0.5")));
    }

    [Fact]
    public void Fingerprint_IgnoresAnnotationsButNotReadiness()
    {
        var pod = ServiceBuild.Pod("p", "10.42.0.5");
        var annotated = ServiceBuild.Pod("p", "10.42.0.5");
        annotated.Metadata.Annotations = new Dictionary<string, string> { ["x"] = "y" };
        var unready = ServiceBuild.Pod("p", "10.42.0.5", ready: false);
        Assert.Equal(EndpointRules.Fingerprint(pod), EndpointRules.Fingerprint(annotated));
        Assert.NotEqual(EndpointRules.Fingerprint(pod), EndpointRules.Fingerprint(unready));
    }
}
