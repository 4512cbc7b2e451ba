using System.Globalization;
using Stevedore.Runtime;
using Stevedore.Runtime.Containers;

namespace Stevedore.Engine;

/// <summary>
/// Docker-style arguments of <c>run</c>, <c>create</c> and <c>exec</c>: flags first, then the image (or
/// container) and then the command, taken verbatim, so <c>run busybox sh -c 'echo $$'</c> keeps its
/// <c>-c</c>. Short flags bundle (<c>-it</c>) and long flags take <c>--name=x</c> or <c>--name x</c>.
/// </summary>
internal sealed class RunArguments
{
    private static readonly HashSet<string> ValueFlags =
    [
        "-e", "--env", "-m", "--memory", "--cpus", "--cpu-shares", "--name", "-w", "--workdir", "-u", "--user", "-h", "--hostname",
        "--entrypoint", "-v", "--volume", "--network", "--net", "--ipc", "--pid", "--cap-add", "--cap-drop", "--ulimit", "--pids-limit", "-l", "--label",
    ];

    private static readonly HashSet<string> BoolFlags = ["-d", "--detach", "--rm", "-i", "--interactive", "-t", "--tty", "--read-only"];

    public Dictionary<string, List<string>> Values { get; } = new();
    public HashSet<string> Flags { get; } = [];
    public string Target { get; private set; } = "";
    public List<string> Command { get; } = [];

    /// <summary>Splits the raw tokens after the verb.</summary>
    public static RunArguments Parse(IReadOnlyList<string> tokens)
    {
        var result = new RunArguments();
        var i = 0;
        for (; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token == "--")
            {
                i++;
                break;
            }

            if (!token.StartsWith('-') || token == "-")
            {
                break;
            }

            string name;
            string? value = null;
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = token.IndexOf('=', StringComparison.Ordinal);
                name = eq < 0 ? token : token[..eq];
                value = eq < 0 ? null : token[(eq + 1)..];
            }
            else if (token.Length > 2 && !ValueFlags.Contains(token[..2]))
            {
                // Bundled short flags: -it, -dit.
                foreach (var c in token[1..])
                {
                    var flag = "-" + c;
                    if (!BoolFlags.Contains(flag))
                    {
                        throw new EngineException(EngineErrorKind.InvalidArgument, $"unknown flag: {flag} in {token}");
                    }

                    result.Flags.Add(Canonical(flag));
                }

                continue;
            }
            else
            {
                name = token[..2];
                value = token.Length > 2 ? token[2..] : null;
            }

            if (BoolFlags.Contains(name))
            {
                if (value is null || value == "true")
                {
                    result.Flags.Add(Canonical(name));
                }

                continue;
            }

            if (!ValueFlags.Contains(name))
            {
                throw new EngineException(EngineErrorKind.InvalidArgument, $"unknown flag: {name}");
            }

            if (value is null)
            {
                if (i + 1 >= tokens.Count)
                {
                    throw new EngineException(EngineErrorKind.InvalidArgument, $"flag needs an argument: {name}");
                }

                value = tokens[++i];
            }

            var key = Canonical(name);
            if (!result.Values.TryGetValue(key, out var list))
            {
                result.Values[key] = list = [];
            }

            list.Add(value);
        }

        if (i >= tokens.Count)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, "requires at least 1 argument: an image (or container) name");
        }

        result.Target = tokens[i];
        result.Command.AddRange(tokens.Skip(i + 1));
        return result;
    }

    public bool Has(string flag) => Flags.Contains(flag);

    public string? Last(string name) => Values.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> All(string name) => Values.TryGetValue(name, out var list) ? list : [];

    /// <summary>Builds container options from the flags.</summary>
    public ContainerOptions ToContainerOptions()
    {
        var labels = All("--label").Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");
        return new ContainerOptions
        {
            Image = Target,
            Name = Last("--name"),
            Command = Command,
            Entrypoint = Last("--entrypoint") is { } ep ? (ep.Length == 0 ? [] : [ep]) : null,
            Env = All("--env"),
            WorkingDir = Last("--workdir"),
            User = Last("--user"),
            Hostname = Last("--hostname"),
            Tty = Has("--tty"),
            OpenStdin = Has("--interactive"),
            MemoryBytes = Last("--memory") is { } m ? ParseSize(m) : 0,
            Cpus = Last("--cpus") is { } c ? ParseDouble(c, "--cpus") : 0,
            CpuShares = Last("--cpu-shares") is { } s ? (long)ParseDouble(s, "--cpu-shares") : 0,
            PidsLimit = Last("--pids-limit") is { } p ? (long)ParseDouble(p, "--pids-limit") : 0,
            ReadOnlyRootfs = Has("--read-only"),
            Network = Last("--network") ?? "none",
            Ipc = Last("--ipc") ?? "private",
            Pid = Last("--pid") ?? "private",
            Binds = All("--volume"),
            CapAdd = All("--cap-add"),
            CapDrop = All("--cap-drop"),
            Ulimits = All("--ulimit"),
            Labels = labels,
            AutoRemove = Has("--rm"),
        };
    }

    /// <summary>Docker's memory sizes: a number with an optional b, k, m or g suffix (binary units).</summary>
    public static long ParseSize(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        long unit = 1;
        if (t.EndsWith('b'))
        {
            t = t[..^1];
        }

        switch (t.LastOrDefault())
        {
            case 'k': unit = 1L << 10; t = t[..^1]; break;
            case 'm': unit = 1L << 20; t = t[..^1]; break;
            case 'g': unit = 1L << 30; t = t[..^1]; break;
        }

        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid size: \"{text}\"");
        }

        return (long)(value * unit);
    }

    private static double ParseDouble(string text, string flag) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new EngineException(EngineErrorKind.InvalidArgument, $"invalid value for {flag}: \"{text}\"");

    private static string Canonical(string flag) => flag switch
    {
        "-e" => "--env",
        "-m" => "--memory",
        "-w" => "--workdir",
        "-u" => "--user",
        "-h" => "--hostname",
        "-v" => "--volume",
        "-l" => "--label",
        "--net" => "--network",
        "-d" => "--detach",
        "-i" => "--interactive",
        "-t" => "--tty",
        _ => flag,
    };
}
