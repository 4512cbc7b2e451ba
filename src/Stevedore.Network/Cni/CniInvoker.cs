using System.Text.Json.Nodes;

namespace Stevedore.Network.Cni;

/// <summary>
/// Runs CNI network configuration lists against a network namespace per the CNI spec (1.0.0, and the
/// 0.3.x/0.4.0 versions plugins still speak): ADD runs the plugins in order, each receiving the
/// previous one's result as <c>prevResult</c>; CHECK runs them in order with the ADD result; DEL runs
/// them in reverse with the ADD result and keeps going past a failing plugin, so one broken plugin does
/// not leak what the others set up. Plugins get in <c>runtimeConfig</c> only the capabilities they
/// declare (e.g. portmap's <c>portMappings</c>).
/// </summary>
public sealed class CniInvoker
{
    /// <summary>Debian's containernetworking-plugins directory, then the upstream default.</summary>
    public static readonly IReadOnlyList<string> DefaultPluginDirs = ["/usr/lib/cni", "/opt/cni/bin"];

    private readonly CniPluginExec _exec;

    /// <summary>Creates an invoker looking for plugins in <paramref name="pluginDirs"/> (default <see cref="DefaultPluginDirs"/>).</summary>
    public CniInvoker(IReadOnlyList<string>? pluginDirs = null)
    {
        _exec = new CniPluginExec(pluginDirs is { Count: > 0 } ? pluginDirs : DefaultPluginDirs);
    }

    /// <summary>The directories searched for plugins.</summary>
    public IReadOnlyList<string> PluginDirs => _exec.PluginDirs;

    /// <summary>Attaches the namespace to the network; returns the last plugin's result.</summary>
    /// <exception cref="CniException">A plugin failed; what earlier plugins set up is still in place (run DEL to undo it).</exception>
    public async Task<CniResult> AddAsync(CniNetworkConfigList network, CniRuntimeConf runtime, CancellationToken cancellationToken)
    {
        runtime.Validate();
        JsonObject? previous = null;
        var lastType = network.Plugins[0]["type"]!.GetValue<string>();
        foreach (var plugin in network.Plugins)
        {
            lastType = plugin["type"]!.GetValue<string>();
            var stdin = PluginStdin(network, plugin, runtime, previous);
            // ADDs that map host ports may create portmap's shared chains: one at a time on the machine.
            string? output;
            await using (MapsHostPorts(lastType, stdin) ? await HostPortChainsLock.AcquireAsync(cancellationToken).ConfigureAwait(false) : null)
            {
                output = await _exec.RunAsync(lastType, "ADD", stdin, Environment("ADD", runtime, PluginDirs), cancellationToken);
            }

            previous = CniResult.Parse(output ?? throw new CniException(lastType, "ADD", 0, "the plugin printed no result", ""), lastType, "ADD").Json;
        }

        return CniResult.FromJson(previous!, lastType, "ADD");
    }

    private static bool MapsHostPorts(string type, JsonObject stdin) =>
        type == "portmap" && stdin["runtimeConfig"]?["portMappings"] is JsonArray { Count: > 0 };

    /// <summary>Asks every plugin whether the attachment is still as ADD left it.</summary>
    /// <exception cref="CniException">A plugin found a difference, or the version does not support CHECK.</exception>
    public async Task CheckAsync(CniNetworkConfigList network, CniRuntimeConf runtime, CniResult addResult, CancellationToken cancellationToken)
    {
        runtime.Validate();
        if (network.DisableCheck)
        {
            return;
        }

        if (CniNetworkConfigList.ParseVersion(network.CniVersion) < new Version(0, 4, 0))
        {
            throw new CniException(network.Plugins[0]["type"]!.GetValue<string>(), "CHECK", CniException.IncompatibleVersion, $"configuration version \"{network.CniVersion}\" does not support the CHECK command", "CHECK needs cniVersion 0.4.0 or later");
        }

        foreach (var plugin in network.Plugins)
        {
            var type = plugin["type"]!.GetValue<string>();
            await _exec.RunAsync(type, "CHECK", PluginStdin(network, plugin, runtime, addResult.Json), Environment("CHECK", runtime, PluginDirs), cancellationToken);
        }
    }

    /// <summary>
    /// Detaches the namespace: every plugin in reverse order, even after one fails, and even when the
    /// namespace is already gone (CNI_NETNS is then empty, which plugins treat as "nothing left inside").
    /// </summary>
    /// <exception cref="CniException">The first plugin that failed, after all were run.</exception>
    public async Task DeleteAsync(CniNetworkConfigList network, CniRuntimeConf runtime, CniResult? addResult, CancellationToken cancellationToken)
    {
        runtime.Validate();
        if (runtime.NetnsPath.Length > 0 && !File.Exists(runtime.NetnsPath))
        {
            runtime = runtime with { NetnsPath = "" };
        }

        // DEL carries prevResult only from 0.4.0 on; older plugins do not expect it.
        var previous = CniNetworkConfigList.ParseVersion(network.CniVersion) >= new Version(0, 4, 0) ? addResult?.Json : null;
        CniException? first = null;
        foreach (var plugin in network.Plugins.Reverse())
        {
            var type = plugin["type"]!.GetValue<string>();
            try
            {
                await _exec.RunAsync(type, "DEL", PluginStdin(network, plugin, runtime, previous), Environment("DEL", runtime, PluginDirs), cancellationToken);
            }
            catch (CniException ex)
            {
                first ??= ex;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    /// <summary>
    /// The configuration one plugin reads on stdin: its own object plus the list's <c>name</c> and
    /// <c>cniVersion</c>, the capabilities it declares as <c>runtimeConfig</c>, and <c>prevResult</c>.
    /// </summary>
    public static JsonObject PluginStdin(CniNetworkConfigList network, JsonObject plugin, CniRuntimeConf runtime, JsonObject? prevResult)
    {
        var stdin = (JsonObject)plugin.DeepClone();
        stdin["name"] = network.Name;
        stdin["cniVersion"] = network.CniVersion;
        stdin.Remove("runtimeConfig");
        if (plugin["capabilities"] is JsonObject capabilities)
        {
            var runtimeConfig = new JsonObject();
            foreach (var (capability, enabled) in capabilities)
            {
                if (enabled is JsonValue value && value.TryGetValue<bool>(out var on) && on && runtime.CapabilityArgs.TryGetValue(capability, out var argument))
                {
                    runtimeConfig[capability] = argument.DeepClone();
                }
            }

            if (runtimeConfig.Count > 0)
            {
                stdin["runtimeConfig"] = runtimeConfig;
            }
        }

        stdin.Remove("prevResult");
        if (prevResult is not null)
        {
            stdin["prevResult"] = prevResult.DeepClone();
        }

        return stdin;
    }

    /// <summary>The CNI_* environment of one plugin run.</summary>
    public static IReadOnlyDictionary<string, string> Environment(string command, CniRuntimeConf runtime, IReadOnlyList<string> pluginDirs)
    {
        var args = new List<string> { "IgnoreUnknown=1" };
        args.AddRange(runtime.Args.Select(a => a.Key + "=" + a.Value));
        return new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = runtime.ContainerId,
            ["CNI_NETNS"] = runtime.NetnsPath,
            ["CNI_IFNAME"] = runtime.IfName,
            ["CNI_ARGS"] = string.Join(';', args),
            ["CNI_PATH"] = string.Join(':', pluginDirs),
        };
    }
}
