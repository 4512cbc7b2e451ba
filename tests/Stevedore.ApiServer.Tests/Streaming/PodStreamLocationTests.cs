using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Stevedore.ApiServer.Http;
using Stevedore.ApiServer.Streaming;

namespace Stevedore.ApiServer.Tests.Streaming;

public sealed class PodStreamLocationTests
{
    private static readonly string[] Preferred = ["InternalIP", "Hostname", "ExternalIP"];

    [Fact]
    public void ResolveContainer_OneContainerAndNoneNamed_DefaultsToIt()
    {
        Assert.Equal("app", PodStreamLocation.ResolveContainer(Pod(["app"]), null, forLogs: false));
    }

    [Fact]
    public void ResolveContainer_UnknownName_IsUpstreamsBadRequest()
    {
        var error = Assert.Throws<ApiException>(() => PodStreamLocation.ResolveContainer(Pod(["app"]), "nope", forLogs: true));

        Assert.Equal(400, error.Code);
        Assert.Equal("BadRequest", error.Reason);
        Assert.Equal("container nope is not valid for pod web", error.Message);
    }

    [Fact]
    public void ResolveContainer_InitAndEphemeralContainers_AreValidNames()
    {
        var pod = Pod(["app"], init: ["setup"]);
        ((JsonObject)pod["spec"]!)["ephemeralContainers"] = new JsonArray(new JsonObject { ["name"] = "debug" });

        Assert.Equal("setup", PodStreamLocation.ResolveContainer(pod, "setup", forLogs: false));
        Assert.Equal("debug", PodStreamLocation.ResolveContainer(pod, "debug", forLogs: true));
    }

    [Fact]
    public void ResolveContainer_SeveralAndNoneNamed_ListsTheChoicesAsUpstreamDoes()
    {
        var pod = Pod(["a", "b"], init: ["i"]);

        var exec = Assert.Throws<ApiException>(() => PodStreamLocation.ResolveContainer(pod, "", forLogs: false));
        var logs = Assert.Throws<ApiException>(() => PodStreamLocation.ResolveContainer(pod, "", forLogs: true));

        Assert.Equal("a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [i]", exec.Message);
        Assert.Equal("a container name must be specified for pod web, choose one of: [i a b]", logs.Message);
    }

    [Fact]
    public void KubeletBase_PrefersInternalIpAndTheReportedPort()
    {
        var node = Node(("Hostname", "node-1"), ("InternalIP", "10.1.2.3"));
        ((JsonObject)node["status"]!)["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 12345 } };

        Assert.Equal(new Uri("https://10.1.2.3:12345"), PodStreamLocation.KubeletBase(node, Preferred, 10250));
    }

    [Fact]
    public void KubeletBase_NoPortReported_UsesTheDefaultAndBracketsIPv6()
    {
        Assert.Equal(new Uri("https://[fd00::1]:10250"), PodStreamLocation.KubeletBase(Node(("InternalIP", "fd00::1")), Preferred, 10250));
    }

    [Fact]
    public void KubeletBase_NoUsableAddress_IsAnInternalError()
    {
        var error = Assert.Throws<ApiException>(() => PodStreamLocation.KubeletBase(Node(("InternalDNS", "n.example")), Preferred, 10250));

        Assert.Equal(500, error.Code);
        Assert.Contains("no preferred addresses found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogPathAndQuery_TranslatesTheOptionsForTheKubelet()
    {
        var path = PodStreamLocation.LogPathAndQuery(Pod(["app"]), "app", Query(("follow", "true"), ("previous", "1"), ("timestamps", "true"),
            ("tailLines", "10"), ("limitBytes", "100"), ("sinceSeconds", "30"), ("container", "app")));

        Assert.Equal("/containerLogs/default/web/app?follow=true&previous=true&timestamps=true&sinceSeconds=30&tailLines=10&limitBytes=100", path);
    }

    [Fact]
    public void LogPathAndQuery_SinceTime_IsPassedAsRfc3339()
    {
        var path = PodStreamLocation.LogPathAndQuery(Pod(["app"]), "app", Query(("sinceTime", "2024-01-02T03:04:05Z")));

        Assert.Equal("/containerLogs/default/web/app?sinceTime=2024-01-02T03%3A04%3A05Z", path);
    }

    [Theory]
    [InlineData("tailLines", "-1")]
    [InlineData("limitBytes", "0")]
    [InlineData("sinceSeconds", "0")]
    public void LogPathAndQuery_OutOfRange_IsInvalidPodLogOptions(string name, string value)
    {
        var error = Assert.Throws<ApiException>(() => PodStreamLocation.LogPathAndQuery(Pod(["app"]), "app", Query((name, value))));

        Assert.Equal(422, error.Code);
        Assert.Equal(name, Assert.Single(error.Causes).Field);
        Assert.StartsWith("PodLogOptions \"web\" is invalid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemoteCommandPathAndQuery_FlagsBecomeOnesAndCommandsRepeat()
    {
        var path = PodStreamLocation.RemoteCommandPathAndQuery("exec", Pod(["app"]), "app",
            Query(("stdin", "true"), ("stdout", "true"), ("stderr", "false"), ("tty", "true"), ("command", new StringValues(["sh", "-c", "echo a&b"]))));

        Assert.Equal("/exec/default/web/app?stdin=1&stdout=1&tty=1&command=sh&command=-c&command=echo%20a%26b", path);
    }

    [Fact]
    public void PortForwardPathAndQuery_CarriesThePorts()
    {
        Assert.Equal("/portForward/default/web?port=8080%2C9090", PodStreamLocation.PortForwardPathAndQuery(Pod(["app"]), Query(("ports", new StringValues(["8080", "9090"])))));
        Assert.Equal("/portForward/default/web", PodStreamLocation.PortForwardPathAndQuery(Pod(["app"]), Query()));
    }

    private static JsonObject Pod(string[] containers, string[]? init = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject { ["name"] = c })]) };
        if (init is not null)
        {
            spec["initContainers"] = new JsonArray([.. init.Select(c => (JsonNode)new JsonObject { ["name"] = c })]);
        }

        return new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "default" }, ["spec"] = spec };
    }

    private static JsonObject Node(params (string Type, string Address)[] addresses) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "node-1" },
        ["status"] = new JsonObject { ["addresses"] = new JsonArray([.. addresses.Select(a => (JsonNode)new JsonObject { ["type"] = a.Type, ["address"] = a.Address })]) },
    };

    private static QueryCollection Query(params (string Name, StringValues Values)[] pairs) =>
        new(pairs.ToDictionary(p => p.Name, p => p.Values));
}
