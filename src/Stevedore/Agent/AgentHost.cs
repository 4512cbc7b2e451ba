using k8s;
using Microsoft.Extensions.Logging;
using Stevedore.Engine;
using Stevedore.Kubelet;
using Stevedore.Kubelet.Cri;
using Stevedore.Kubelet.Node;
using Stevedore.Runtime;
using Stevedore.Runtime.Cri;

namespace Stevedore.Agent;

/// <summary>How one node agent runs: its node, its folders, and which runtime it talks to.</summary>
internal sealed record AgentSettings
{
    public required string NodeName { get; init; }

    /// <summary>The agent's own folder (pod files, manifests/).</summary>
    public required string DataDir { get; init; }

    /// <summary>An external CRI runtime (e.g. containerd); null runs Stevedore's engine in this process.</summary>
    public string? RuntimeEndpoint { get; init; }

    /// <summary>Where the built-in engine keeps images and containers (shared with <c>stevedore engine</c>).</summary>
    public string EngineDataDir { get; init; } = EngineOptions.DefaultDataDir;

    /// <summary>The socket the built-in engine serves CRI on.</summary>
    public string CriSocket { get; init; } = CriServer.DefaultSocketPath;

    public string? NodeIp { get; init; }

    public bool ControlPlane { get; init; }
}

/// <summary>Runs a node agent: the built-in engine's CRI server (unless an external runtime is named) and the kubelet.</summary>
internal static class AgentHost
{
    /// <summary>A node name from the machine's host name, as the kubelet defaults it.</summary>
    public static string DefaultNodeName() => Environment.MachineName.ToLowerInvariant();

    /// <summary>Whether a node name is a valid DNS subdomain (what the API accepts as a Node name).</summary>
    public static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);

    /// <summary>Prints what keeps this machine from running pods; false when anything does.</summary>
    public static async Task<bool> PreflightAsync(string command)
    {
        var problems = Preflight.Check(Preflight.ReadHost());
        foreach (var problem in problems)
        {
            await Console.Error.WriteLineAsync($"stevedore {command}: {problem.What}\n    fix: {problem.Fix}");
        }

        return problems.Count == 0;
    }

    public static async Task RunAsync(IKubernetes client, AgentSettings settings, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        CriServer? builtIn = null;
        var endpoint = settings.RuntimeEndpoint;
        if (endpoint is null)
        {
            // Containers are supervised by shims, so they outlive this process and a restarted agent adopts them.
            var engine = new ContainerEngine(new EngineOptions { DataDir = settings.EngineDataDir, ShimCommand = EngineCommand.ShimCommand() });
            builtIn = await CriServer.StartAsync(engine, settings.CriSocket, cancellationToken);
            endpoint = "unix://" + builtIn.SocketPath;
        }

        try
        {
            using var cri = new CriConnection(endpoint);
            var options = new KubeletOptions
            {
                NodeName = settings.NodeName,
                DataDir = settings.DataDir,
                ManifestsDir = Path.Combine(settings.DataDir, "manifests"),
                NodeIp = settings.NodeIp,
                ControlPlane = settings.ControlPlane,
                LoggerFactory = loggerFactory,
            };
            Directory.CreateDirectory(options.ManifestsDir);
            var kubelet = new Kubelet.Kubelet(client, cri, options, InterimPodParts.Create());
            await kubelet.RunAsync(cancellationToken);
        }
        finally
        {
            if (builtIn is not null)
            {
                await builtIn.DisposeAsync();
            }
        }
    }
}
