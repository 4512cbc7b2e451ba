using System.Text.Json.Nodes;
using Stevedore.Network.Cni;

namespace Stevedore.Network.Tests;

public sealed class CniInvokerTests
{
    private static readonly CniNetworkConfigList Network = CniNetworkConfigList.Parse("""
        {"cniVersion":"1.0.0","name":"podnet","plugins":[
          {"type":"bridge","bridge":"br0","runtimeConfig":{"stale":true}},
          {"type":"portmap","capabilities":{"portMappings":true,"bandwidth":false},"snat":true}]}
        """, "test");

    private static readonly CniRuntimeConf Runtime = new()
    {
        ContainerId = "abc123",
        NetnsPath = "/run/netns/cni-1",
        Args = [new("K8S_POD_NAMESPACE", "default"), new("K8S_POD_NAME", "web-0")],
        CapabilityArgs = new Dictionary<string, JsonNode>
        {
            ["portMappings"] = CniPortMapping.ToCapability([new CniPortMapping(8080, 80), new CniPortMapping(5353, 53, "udp", "127.0.0.1")]),
            ["bandwidth"] = new JsonObject { ["ingressRate"] = 1 },
        },
    };

    [Fact]
    public void PluginStdin_AddsListNameAndVersion_KeepsThePluginsOwnFields()
    {
        var stdin = CniInvoker.PluginStdin(Network, Network.Plugins[0], Runtime, null);

        Assert.Equal("podnet", (string?)stdin["name"]);
        Assert.Equal("1.0.0", (string?)stdin["cniVersion"]);
        Assert.Equal("br0", (string?)stdin["bridge"]);
        Assert.Null(stdin["prevResult"]);
        // A plugin declaring no capabilities gets no runtimeConfig, even one written in the file.
        Assert.Null(stdin["runtimeConfig"]);
    }

    [Fact]
    public void PluginStdin_OnlyDeclaredAndEnabledCapabilitiesReachRuntimeConfig()
    {
        var stdin = CniInvoker.PluginStdin(Network, Network.Plugins[1], Runtime, null);

        var runtimeConfig = stdin["runtimeConfig"]!.AsObject();
        Assert.Equal(["portMappings"], runtimeConfig.Select(p => p.Key));
        var mappings = runtimeConfig["portMappings"]!.AsArray();
        Assert.Equal(8080, (int)mappings[0]!["hostPort"]!);
        Assert.Equal(80, (int)mappings[0]!["containerPort"]!);
        Assert.Equal("tcp", (string?)mappings[0]!["protocol"]);
        Assert.Null(mappings[0]!["hostIP"]);
        Assert.Equal("udp", (string?)mappings[1]!["protocol"]);
        Assert.Equal("127.0.0.1", (string?)mappings[1]!["hostIP"]);
    }

    [Fact]
    public void PluginStdin_NoCapabilityArguments_NoRuntimeConfig() =>
        Assert.Null(CniInvoker.PluginStdin(Network, Network.Plugins[1], new CniRuntimeConf { ContainerId = "x" }, null)["runtimeConfig"]);

    [Fact]
    public void PluginStdin_PrevResult_IsACopyOfThePreviousResult()
    {
        var previous = new JsonObject { ["cniVersion"] = "1.0.0", ["ips"] = new JsonArray(new JsonObject { ["address"] = "10.0.0.2/24" }) };

        var stdin = CniInvoker.PluginStdin(Network, Network.Plugins[1], Runtime, previous);
        previous["cniVersion"] = "changed later";

        Assert.Equal("1.0.0", (string?)stdin["prevResult"]!["cniVersion"]);
        Assert.Equal("10.0.0.2/24", (string?)stdin["prevResult"]!["ips"]![0]!["address"]);
    }

    [Fact]
    public void PluginStdin_LeavesTheConfigurationItselfUntouched()
    {
        CniInvoker.PluginStdin(Network, Network.Plugins[1], Runtime, new JsonObject());

        Assert.Null(Network.Plugins[1]["prevResult"]);
        Assert.Null(Network.Plugins[1]["name"]);
    }

    [Fact]
    public void Environment_CarriesEveryCniVariable()
    {
        var environment = CniInvoker.Environment("ADD", Runtime, ["/usr/lib/cni", "/opt/cni/bin"]);

        Assert.Equal("ADD", environment["CNI_COMMAND"]);
        Assert.Equal("abc123", environment["CNI_CONTAINERID"]);
        Assert.Equal("/run/netns/cni-1", environment["CNI_NETNS"]);
        Assert.Equal("eth0", environment["CNI_IFNAME"]);
        Assert.Equal("IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0", environment["CNI_ARGS"]);
        Assert.Equal("/usr/lib/cni:/opt/cni/bin", environment["CNI_PATH"]);
    }

    [Fact]
    public void ErrorOf_CniErrorObject_CarriesCodeMessageDetails()
    {
        var error = CniPluginExec.ErrorOf("bridge", "ADD", 1, """{"cniVersion":"1.0.0","code":7,"msg":"bad bridge","details":"name too long"}""", "some log");

        Assert.Equal(7, error.Code);
        Assert.Equal("bad bridge", error.PluginMessage);
        Assert.Equal("name too long", error.Details);
        Assert.Equal("CNI plugin bridge failed on ADD (code 7: invalid network configuration): bad bridge; name too long", error.Message);
    }

    [Fact]
    public void ErrorOf_PlainOutput_UsesStderrThenStdoutThenExitStatus()
    {
        Assert.Equal("panic: boom", CniPluginExec.ErrorOf("x", "DEL", 2, "garbage", "panic: boom\n").PluginMessage);
        Assert.Equal("garbage", CniPluginExec.ErrorOf("x", "DEL", 2, "garbage", "").PluginMessage);
        Assert.Equal("exit status 2", CniPluginExec.ErrorOf("x", "DEL", 2, "", "").PluginMessage);
        Assert.Equal(0, CniPluginExec.ErrorOf("x", "DEL", 2, "", "").Code);
    }

    [Fact]
    public void ErrorOf_PluginSpecificCode_IsShownAsNumber() =>
        Assert.Contains("(code 100)", CniPluginExec.ErrorOf("x", "ADD", 1, """{"code":100,"msg":"m"}""", "").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("", "eth0")]
    [InlineData("-starts-with-dash", "eth0")]
    [InlineData("has space", "eth0")]
    [InlineData("abc", "")]
    [InlineData("abc", "an-interface-name-too-long")]
    [InlineData("abc", "eth/0")]
    public void Validate_BadIdentifiers_Throw(string containerId, string ifName) =>
        Assert.Throws<ArgumentException>(() => new CniRuntimeConf { ContainerId = containerId, IfName = ifName }.Validate());

    [Fact]
    public void Validate_ArgWithSeparator_Throws() =>
        Assert.Throws<ArgumentException>(() => new CniRuntimeConf { ContainerId = "abc", Args = [new("K", "a;b")] }.Validate());

    [Fact]
    public void PortMapping_RoundTripsThroughJson()
    {
        var mapping = new CniPortMapping(30080, 8080, "sctp", "127.0.0.1");

        Assert.Equal(mapping, CniPortMapping.FromJson(mapping.ToJson()));
    }
}
