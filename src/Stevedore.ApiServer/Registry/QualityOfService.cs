using System.Text.Json.Nodes;

namespace Stevedore.ApiServer.Registry;

/// <summary>Pod QoS class from container requests and limits, as upstream computes it.</summary>
public static class QualityOfService
{
    public static string Compute(JsonObject? podSpec)
    {
        var containers = (podSpec?["containers"] as JsonArray ?? []).Concat(podSpec?["initContainers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var anySet = false;
        var guaranteed = containers.Count > 0;
        foreach (var c in containers)
        {
            var requests = c["resources"]?["requests"] as JsonObject;
            var limits = c["resources"]?["limits"] as JsonObject;
            foreach (var resource in (string[])["cpu", "memory"])
            {
                var request = requests?[resource]?.ToString();
                var limit = limits?[resource]?.ToString();
                anySet |= request is not null || limit is not null;
                if (limit is null || (request is not null && request != limit))
                {
                    guaranteed = false;
                }
            }
        }

        return !anySet ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }
}
