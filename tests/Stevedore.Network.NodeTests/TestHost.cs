using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Stevedore.Network.NodeTests;

/// <summary>Host-side helpers: running tools, unique names, address ranges nobody on this machine uses.</summary>
public static class TestHost
{
    /// <summary>Runs a tool; throws with its stderr on failure.</summary>
    public static async Task<string> RunAsync(string program, params string[] args)
    {
        var (exitCode, stdout, stderr) = await TryRunAsync(program, args);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({exitCode}): {stderr}");
        }

        return stdout;
    }

    /// <summary>Runs a tool and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> TryRunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A short unique name (interface names allow 15 characters).</summary>
    public static string UniqueName(string prefix) => prefix + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..(15 - prefix.Length)];

    /// <summary>Whether a network interface exists on the host.</summary>
    public static bool LinkExists(string name) => Directory.Exists("/sys/class/net/" + name);

    /// <summary>
    /// A /24 in 10.200.0.0-10.229.255.0 that no route on this machine overlaps, so a test's bridge never
    /// shadows another network (10.231.x is left to the containerd CRI fixture, whose bridge has no route).
    /// </summary>
    public static async Task<IPNetwork> FreeSubnetAsync()
    {
        var used = new List<IPNetwork>();
        foreach (var entry in JsonNode.Parse(await RunAsync("/usr/sbin/ip", "-4", "-j", "route", "show", "table", "all"))!.AsArray())
        {
            var dst = entry?["dst"]?.GetValue<string>();
            if (dst is not null && dst != "default" && IPNetwork.TryParse(dst.Contains('/', StringComparison.Ordinal) ? dst : dst + "/32", out var network))
            {
                used.Add(network);
            }
        }

        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var candidate = new IPNetwork(IPAddress.Parse($"10.{Random.Shared.Next(200, 230)}.{Random.Shared.Next(0, 256)}.0"), 24);
            if (!used.Any(u => u.PrefixLength > 0 && Cidr.Overlaps(u, candidate)))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("no free /24 in 10.200.0.0-10.229.255.0");
    }

    /// <summary>A TCP port nothing on the host listens on right now.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
