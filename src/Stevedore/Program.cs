using System.CommandLine;
using Stevedore.Commands;

var root = new RootCommand("Stevedore: a Kubernetes-compatible cluster in one binary");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
root.Subcommands.Add(HollowNodesCommand.Create());
root.Subcommands.Add(Stevedore.Engine.EngineCommand.Create());
return await root.Parse(args).InvokeAsync();
