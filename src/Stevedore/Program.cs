using System.CommandLine;
using Stevedore.Commands;
using Stevedore.Runtime;

// A shim starts for every container, on the pod's critical path: it goes straight to the supervisor
// instead of building the whole command line, whose options load the API server's, the agent's and
// the controllers' assemblies (measured: about 15 % of a shim's start-up CPU).
if (args is ["engine", "shim", .. var shimArgs])
{
    try
    {
        var (options, id) = ContainerEngine.ParseShimArgs(shimArgs);
        return await ContainerEngine.RunShimAsync(options, id, CancellationToken.None);
    }
    catch (EngineException ex)
    {
        // Before the shim detaches this reaches the engine, which reports it (as stevedore-shim's own).
        await Console.Error.WriteLineAsync("stevedore engine shim: " + ex.Message);
        return 2;
    }
}

if (args is ["agent", ..])
{
    Stevedore.Agent.AgentGcBudget.EnsureSmallGen0();
}

// The commands that read and write Kubernetes models, before their first use (KubernetesJson's options are fixed
// then); the engine's CLI uses none and would only pay for KubernetesClient's JSON start-up.
if (args is ["server" or "agent" or "hollow-nodes", ..])
{
    Stevedore.Client.Serialization.ModelJson.Install();
}

var root = new RootCommand("Stevedore: a Kubernetes-compatible cluster in one binary");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
root.Subcommands.Add(HollowNodesCommand.Create());
root.Subcommands.Add(Stevedore.Engine.EngineCommand.Create());
return await root.Parse(args).InvokeAsync();
