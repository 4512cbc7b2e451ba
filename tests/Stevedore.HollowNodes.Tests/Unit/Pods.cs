using k8s.Models;

namespace Stevedore.HollowNodes.Tests.Unit;

internal static class Pods
{
    public static readonly DateTime T0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static PodContext Context(DateTime now) => new("127.1.0.1", "10.244.0.2", now, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5));

    public static V1Pod New(string restartPolicy = "Always", string? exitCode = null, string? runSeconds = null, int containers = 1, bool init = false)
    {
        var annotations = new Dictionary<string, string>();
        if (exitCode is not null)
        {
            annotations[HollowAnnotations.ExitCode] = exitCode;
        }

        if (runSeconds is not null)
        {
            annotations[HollowAnnotations.RunSeconds] = runSeconds;
        }

        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "uid-1", Annotations = annotations },
            Spec = new V1PodSpec
            {
                NodeName = "hollow-node-0",
                RestartPolicy = restartPolicy,
                Containers = Enumerable.Range(0, containers).Select(i => new V1Container { Name = "c" + i, Image = "nginx:1.27" }).ToList(),
                InitContainers = init ? [new V1Container { Name = "init", Image = "busybox" }] : null,
            },
            Status = new V1PodStatus { Phase = "Pending", QosClass = "BestEffort" },
        };
    }

    /// <summary>The pod after <paramref name="plan"/>'s status was written.</summary>
    public static V1Pod With(V1Pod pod, PodPlan plan)
    {
        Assert.NotNull(plan.NewStatus);
        return new V1Pod { Metadata = pod.Metadata, Spec = pod.Spec, Status = plan.NewStatus };
    }
}
