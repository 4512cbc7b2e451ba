using System.Text;
using System.Text.Json.Nodes;

namespace ApiServerBench.Infrastructure;

/// <summary>Small objects the benchmarks write, as JSON bytes.</summary>
public static class Manifests
{
    /// <summary>The annotation that carries the writer's <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    public const string SentAnnotation = "bench.stevedore.io/sent";

    public static byte[] Namespace(string name) => Serialize(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = name },
    });

    /// <summary>A ConfigMap with one short key, about the size of a typical small config.</summary>
    public static byte[] ConfigMap(string name) => Serialize(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "bench" } },
        ["data"] = new JsonObject { ["key"] = "value-" + name },
    });

    /// <summary>The same ConfigMap replaced at <paramref name="resourceVersion"/>, stamped with a send time.</summary>
    public static byte[] ConfigMapUpdate(string name, string resourceVersion, long sentTimestamp, int sequence) => Serialize(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["resourceVersion"] = resourceVersion,
            ["labels"] = new JsonObject { ["app"] = "bench" },
            ["annotations"] = new JsonObject { [SentAnnotation] = sentTimestamp.ToString() },
        },
        ["data"] = new JsonObject { ["key"] = "update-" + sequence },
    });

    /// <summary>A minimal one-container pod (nothing runs it: the server has no agent).</summary>
    public static byte[] Pod(string name) => Serialize(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "bench" } },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = "busybox:1.36", ["command"] = new JsonArray("sleep", "3600") }),
        },
    });

    private static byte[] Serialize(JsonObject value) => Encoding.UTF8.GetBytes(value.ToJsonString());
}
