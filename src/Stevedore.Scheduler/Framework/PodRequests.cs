using k8s.Models;

namespace Stevedore.Scheduler.Framework;

/// <summary>
/// The effective resource requests of a pod, computed like the kubelet and upstream scheduler:
/// max(sum of app containers + restartable (sidecar) init containers, the largest regular init
/// container plus the sidecars started before it) + pod overhead. Pod-level
/// <c>spec.resources.requests</c>, when set, win for the resources they name.
/// </summary>
public static class PodRequests
{
    /// <summary>The requests as declared.</summary>
    public static Resource Compute(V1Pod pod) => Compute(pod, nonZero: false);

    /// <summary>
    /// The requests used for scoring: a container that requests no cpu (memory) counts as
    /// 100m (200Mi), so best-effort pods still spread.
    /// </summary>
    public static Resource ComputeNonZero(V1Pod pod) => Compute(pod, nonZero: true);

    private static Resource Compute(V1Pod pod, bool nonZero)
    {
        var spec = pod.Spec;
        var apps = new Resource();
        if (spec?.Containers is { } containers)
        {
            foreach (var c in containers)
            {
                apps.Add(ContainerRequests(c, nonZero));
            }
        }

        var sidecars = new Resource();
        var initMax = new Resource();
        if (spec?.InitContainers is { } inits)
        {
            foreach (var c in inits)
            {
                var req = ContainerRequests(c, nonZero);
                if (c.RestartPolicy == "Always")
                {
                    // A sidecar keeps running next to everything started after it.
                    sidecars.Add(req);
                    initMax.SetMax(sidecars);
                }
                else
                {
                    var during = sidecars.Clone();
                    during.Add(req);
                    initMax.SetMax(during);
                }
            }
        }

        apps.Add(sidecars);
        apps.SetMax(initMax);

        if (spec?.Resources?.Requests is { Count: > 0 } podLevel)
        {
            foreach (var (name, quantity) in podLevel)
            {
                apps.Set(name, Resource.ToUnits(name, quantity));
            }
        }

        if (spec?.Overhead is { } overhead)
        {
            apps.Add(Resource.FromList(overhead));
        }

        return apps;
    }

    private static Resource ContainerRequests(V1Container container, bool nonZero)
    {
        var r = Resource.FromList(container.Resources?.Requests);
        if (nonZero)
        {
            var requests = container.Resources?.Requests;
            if (requests is null || !requests.ContainsKey(Resource.Cpu))
            {
                r.MilliCpu = Resource.DefaultMilliCpuRequest;
            }

            if (requests is null || !requests.ContainsKey(Resource.Memory))
            {
                r.MemoryBytes = Resource.DefaultMemoryRequest;
            }
        }

        return r;
    }
}
