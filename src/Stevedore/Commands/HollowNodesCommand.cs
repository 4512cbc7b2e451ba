using System.CommandLine;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Stevedore.Client.Connecting;
using Stevedore.HollowNodes;

namespace Stevedore.Commands;

/// <summary><c>stevedore hollow-nodes</c>: N fake nodes that heartbeat and report bound pods Running, like kubemark / KWOK.</summary>
public static class HollowNodesCommand
{
    public static Command Create()
    {
        var kubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig of the cluster to join", Required = true };
        var count = new Option<int>("--count") { Description = "How many nodes to register", DefaultValueFactory = _ => 1 };
        var cpu = new Option<string>("--cpu") { Description = "CPU capacity of each node", DefaultValueFactory = _ => "4" };
        var memory = new Option<string>("--memory") { Description = "Memory capacity of each node", DefaultValueFactory = _ => "16Gi" };
        var pods = new Option<int>("--pods") { Description = "Pod capacity of each node", DefaultValueFactory = _ => 110 };
        var prefix = new Option<string>("--name-prefix") { Description = "Node name prefix; names are PREFIX0..PREFIX(N-1)", DefaultValueFactory = _ => "hollow-node-" };
        var noEvents = new Option<bool>("--no-events") { Description = "Do not record pod events (for large benchmarks)" };
        var command = new Command("hollow-nodes", "Register nodes that run no containers but report bound pods Running (for tests and benchmarks)")
        {
            kubeconfig, count, cpu, memory, pods, prefix, noEvents,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new HollowNodeOptions
            {
                Count = parse.GetValue(count),
                Cpu = parse.GetValue(cpu)!,
                Memory = parse.GetValue(memory)!,
                Pods = parse.GetValue(pods),
                NamePrefix = parse.GetValue(prefix)!,
                RecordEvents = !parse.GetValue(noEvents),
            };
            return await RunAsync(parse.GetValue(kubeconfig)!, options, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(string kubeconfig, HollowNodeOptions options, CancellationToken cancellationToken)
    {
        if (options.Count < 1 || options.Count > NodeAddressing.MaxIndex + 1)
        {
            await Console.Error.WriteLineAsync($"stevedore: --count must be within 1..{NodeAddressing.MaxIndex + 1}");
            return 2;
        }

        try
        {
            _ = new ResourceQuantity(options.Cpu).ToDecimal();
            _ = new ResourceQuantity(options.Memory).ToDecimal();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"stevedore: --cpu/--memory: {ex.Message}");
            return 2;
        }

        if (!File.Exists(kubeconfig))
        {
            await Console.Error.WriteLineAsync($"stevedore: --kubeconfig {kubeconfig}: no such file");
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
        using var client = ClusterConnection.FromKubeconfig(kubeconfig);
        var pool = new HollowNodePool(client, options, loggerFactory);
        try
        {
            await pool.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        return 0;
    }
}
