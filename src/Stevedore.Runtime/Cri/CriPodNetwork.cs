using System.Text.Json.Nodes;
using Grpc.Core;
using Stevedore.Cri.V1;
using Stevedore.Network.Cni;
using Stevedore.Network.Netns;

namespace Stevedore.Runtime.Cri;

/// <summary>
/// Sandbox networking for the CRI server: a pinned network namespace per sandbox, CNI ADD of loopback
/// (<c>lo</c>) and of the configured network list (<c>eth0</c>), DEL in reverse, and the NetworkReady
/// condition. Everything needed to tear an attachment down (namespace path, configuration, ADD result,
/// port mappings) is kept in the sandbox's <see cref="CriMetadata"/>, on disk, so a restarted server
/// tears down what an earlier one set up.
/// </summary>
public sealed class CriPodNetwork(CriNetworkOptions options)
{
    /// <summary>The NetworkReady reason upstream runtimes give while no network is configured.</summary>
    public const string NotReadyReason = "NetworkPluginNotReady";

    private readonly CniInvoker _invoker = new(options.PluginDirs);

    public CriNetworkOptions Options { get; } = options;

    /// <summary>Whether sandboxes get a CNI network (a conf dir is configured).</summary>
    public bool Enabled => Options.ConfDir is not null;

    /// <summary>The NetworkReady condition: false until the conf dir holds a valid configuration.</summary>
    public RuntimeCondition Condition()
    {
        if (!Enabled)
        {
            return new RuntimeCondition { Type = "NetworkReady", Status = true, Message = "loopback-only pod networks (CNI disabled)" };
        }

        try
        {
            return CniNetworkConfigList.LoadDefault(Options.ConfDir!) is null
                ? NotReady("cni config uninitialized")
                : new RuntimeCondition { Type = "NetworkReady", Status = true };
        }
        catch (CniConfigException ex)
        {
            return NotReady("cni config load failed: " + ex.Message);
        }
    }

    /// <summary>The network list sandboxes are attached with now.</summary>
    /// <exception cref="RpcException">FailedPrecondition when there is none or it is invalid.</exception>
    public CniNetworkConfigList CurrentNetwork()
    {
        try
        {
            return CniNetworkConfigList.LoadDefault(Options.ConfDir!)
                ?? throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, $"network plugin not ready: cni config uninitialized (no network configuration in {Options.ConfDir})"));
        }
        catch (CniConfigException ex)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, "network plugin not ready: cni config load failed: " + ex.Message));
        }
    }

    /// <summary>Creates the sandbox's namespace, <c>&lt;NetnsDir&gt;/cni-&lt;uuid&gt;</c> (a new uuid unless given).</summary>
    /// <exception cref="RpcException">Internal, with the kernel's reason.</exception>
    public string CreateNamespace(Guid? uuid = null)
    {
        try
        {
            return NetworkNamespace.Create(Options.NetnsDir, "cni-" + (uuid ?? Guid.NewGuid()).ToString());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "cannot create the sandbox network namespace: " + ex.Message));
        }
    }

    /// <summary>Removes a sandbox namespace; nothing happens when it is gone.</summary>
    /// <exception cref="RpcException">Internal, with the kernel's reason.</exception>
    public static void RemoveNamespace(string path)
    {
        if (path.Length == 0)
        {
            return;
        }

        try
        {
            NetworkNamespace.Remove(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, $"cannot remove the sandbox network namespace {path}: {ex.Message}"));
        }
    }

    /// <summary>
    /// Attaches the sandbox (namespace already in <paramref name="sandbox"/>) to loopback and to
    /// <paramref name="network"/>, and records the result and addresses in <paramref name="sandbox"/>.
    /// On failure whatever was attached is detached again before the plugin's error is thrown.
    /// </summary>
    public async Task SetUpAsync(string sandboxId, CriMetadata sandbox, CniNetworkConfigList network, CancellationToken cancellationToken)
    {
        sandbox.CniConfig = network.Json;
        var runtime = RuntimeConfOf(sandboxId, sandbox);
        try
        {
            await _invoker.AddAsync(CniNetworkConfigList.Loopback, runtime with { IfName = "lo" }, cancellationToken);
            var result = await _invoker.AddAsync(network, runtime, cancellationToken);
            var addresses = result.SandboxAddresses(Options.IfName);
            if (addresses.Count == 0)
            {
                throw new CniException(network.Plugins[^1]["type"]!.GetValue<string>(), "ADD", 0, $"the network \"{network.Name}\" gave the sandbox no address on {Options.IfName}", result.Json.ToJsonString());
            }

            sandbox.CniResult = result.Json.ToJsonString();
            sandbox.PodIps = [.. addresses.Select(a => a.ToString())];
        }
        catch (Exception ex) when (ex is CniException or ArgumentException)
        {
            await TryTearDownAsync(sandboxId, sandbox);
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unknown, $"failed to set up network for sandbox \"{sandboxId}\": {ex.Message}"));
        }
        catch
        {
            // Cancelled or broken mid-ADD: nothing may stay attached.
            await TryTearDownAsync(sandboxId, sandbox);
            throw;
        }
    }

    /// <summary>
    /// Detaches the sandbox from its network (DEL of the recorded list, then loopback) and forgets its
    /// addresses. Idempotent: an attachment already torn down, or a namespace already gone, is fine.
    /// </summary>
    /// <exception cref="RpcException">A plugin failed; the call can be repeated.</exception>
    public async Task TearDownAsync(string sandboxId, CriMetadata sandbox, CancellationToken cancellationToken)
    {
        if (sandbox.CniConfig.Length == 0)
        {
            return;
        }

        try
        {
            var runtime = RuntimeConfOf(sandboxId, sandbox);
            var network = CniNetworkConfigList.Parse(sandbox.CniConfig, $"the network sandbox {sandboxId} was attached with");
            var result = sandbox.CniResult.Length > 0 && JsonNode.Parse(sandbox.CniResult) is JsonObject json ? CniResult.FromJson(json, "stored", "DEL") : null;
            await _invoker.DeleteAsync(network, runtime, result, cancellationToken);
            await _invoker.DeleteAsync(CniNetworkConfigList.Loopback, runtime with { IfName = "lo" }, null, cancellationToken);
        }
        catch (Exception ex) when (ex is CniException or CniConfigException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unknown, $"failed to destroy network for sandbox \"{sandboxId}\": {ex.Message}"));
        }

        sandbox.CniConfig = "";
        sandbox.CniResult = "";
        sandbox.PodIps = [];
    }

    /// <summary>The portmap capability entries for a sandbox config (mappings without a host port are not host ports).</summary>
    public static List<CriPortMapping> PortMappingsOf(PodSandboxConfig config) =>
        [.. config.PortMappings
            .Where(p => p.HostPort > 0)
            .Select(p => new CriPortMapping(p.HostPort, p.ContainerPort, p.Protocol switch { Protocol.Udp => "udp", Protocol.Sctp => "sctp", _ => "tcp" }, p.HostIp))];

    /// <summary>The CNI runtime configuration of a sandbox: its ID, namespace, kubelet's pod args, its port mappings.</summary>
    public CniRuntimeConf RuntimeConfOf(string sandboxId, CriMetadata sandbox)
    {
        var capabilities = new Dictionary<string, JsonNode>();
        if (sandbox.PortMappings.Count > 0)
        {
            capabilities[CniPortMapping.Capability] = CniPortMapping.ToCapability(sandbox.PortMappings.Select(p => new CniPortMapping(p.HostPort, p.ContainerPort, p.Protocol, p.HostIp)));
        }

        return new CniRuntimeConf
        {
            ContainerId = sandboxId,
            NetnsPath = sandbox.NetnsPath,
            IfName = Options.IfName,
            Args =
            [
                new("K8S_POD_NAMESPACE", sandbox.Namespace),
                new("K8S_POD_NAME", sandbox.Name),
                new("K8S_POD_INFRA_CONTAINER_ID", sandboxId),
                new("K8S_POD_UID", sandbox.Uid),
            ],
            CapabilityArgs = capabilities,
        };
    }

    private async Task TryTearDownAsync(string sandboxId, CriMetadata sandbox)
    {
        try
        {
            await TearDownAsync(sandboxId, sandbox, CancellationToken.None);
        }
        catch (RpcException)
        {
            // The namespace is removed next, taking the pod's end of every veth with it.
        }
    }

    private static RuntimeCondition NotReady(string why) =>
        new() { Type = "NetworkReady", Status = false, Reason = NotReadyReason, Message = "Network plugin returns error: " + why };
}
