using k8s.Models;

namespace Stevedore.Controllers.Tests.Endpoints;

/// <summary>Services and serving pods for the endpoints tests.</summary>
internal static class ServiceBuild
{
    public static V1Service Service(
        string name = "web",
        IDictionary<string, string>? selector = null,
        string clusterIP = "10.43.5.5",
        bool publishNotReady = false,
        IList<V1ServicePort>? ports = null,
        string type = "ClusterIP",
        IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Uid = "svc-uid-" + name, Labels = labels },
        Spec = new V1ServiceSpec
        {
            Type = type,
            Selector = selector ?? new Dictionary<string, string> { ["app"] = "web" },
            ClusterIP = clusterIP,
            IpFamilies = ["IPv4"],
            PublishNotReadyAddresses = publishNotReady,
            Ports = ports ?? [new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080, Protocol = "TCP" }],
        },
    };

    public static V1Pod Pod(string name, string ip, bool ready = true, string phase = "Running", DateTime? deleting = null,
        IDictionary<string, string>? labels = null, IList<V1ContainerPort>? containerPorts = null, string? hostname = null, string? subdomain = null, string? node = "n1")
    {
        var pod = Build.Pod(name, node: node, phase: phase, ready: ready, deleting: deleting, labels: labels);
        pod.Status.PodIP = ip;
        pod.Status.PodIPs = ip.Length == 0 ? null : [new V1PodIP { Ip = ip }];
        pod.Spec.Hostname = hostname;
        pod.Spec.Subdomain = subdomain;
        pod.Spec.Containers[0].Ports = containerPorts;
        return pod;
    }
}
