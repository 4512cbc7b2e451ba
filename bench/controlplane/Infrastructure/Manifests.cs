using System.Text;
using System.Text.Json.Nodes;

namespace ControlPlaneBench.Infrastructure;

/// <summary>The objects the benchmark creates, as JSON.</summary>
public static class Manifests
{
    public static JsonObject Namespace(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name },
    };

    /// <summary>
    /// A bare pod shaped like upstream scheduler_perf's default pod: one container requesting
    /// 100m CPU and 500Mi memory, so NodeResourcesFit and the scoring plugins have work to do.
    /// </summary>
    public static byte[] Pod(string name) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "bench" } },
        ["spec"] = PodSpec(),
    }.ToJsonString());

    /// <summary>A Deployment of <paramref name="replicas"/> pods like <see cref="Pod"/>.</summary>
    public static JsonObject Deployment(string name, int replicas) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = PodSpec(),
            },
        },
    };

    private static JsonObject PodSpec() => new()
    {
        ["containers"] = new JsonArray(new JsonObject
        {
            ["name"] = "main",
            ["image"] = "registry.k8s.io/pause:3.10",
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "500Mi" },
                ["limits"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "500Mi" },
            },
        }),
    };
}
